/* Small-packet UDP load for test/bench/packetPath.bench.ts: one LAN host talks to many
 * internet-side addresses. iperf3 sends to one address only; this sends to N, so the box's
 * per-packet lookups see many keys and conntrack holds N flows, as an office's traffic does.
 *
 *   udpBlast echo PORT              echo every datagram whose payload starts with 'P' back to
 *                                   its sender, from the address it was sent to (IP_PKTINFO;
 *                                   the lab's internet prefixes are AnyIP-local). Runs until killed.
 *   udpBlast send SECONDS ROUNDS PORT DST...
 *                                   1. opens each flow with a ping/pong (so conntrack sees it
 *                                      both ways: established), then ROUNDS more ping/pongs per
 *                                      destination, timing each (latency);
 *                                   2. floods SECONDS of 18-byte payloads starting with 'F'
 *                                      (64-byte frames) round-robin over the destinations with
 *                                      sendmmsg. The receiving side counts and drops them in nft.
 *                                   Prints one JSON line: sent, seconds, rtt p50/p99 (µs), lost,
 *                                   the median round trip of the flows' first packets (new), and
 *                                   the sender's CPU time per packet sent (see cpu()).
 *   udpBlast newflows SECONDS PORT NPORTS DST...
 *                                   floods SECONDS of 18-byte payloads starting with 'N', each to
 *                                   the next (destination, port PORT..PORT+NPORTS-1) pair, so every
 *                                   packet (until the pairs run out) is a new conntrack flow: what
 *                                   a connection's first packet costs. No ping/pong, no answers.
 *                                   Prints one JSON line: sent, seconds, the sender's CPU per packet.
 * Build: cc -O2 -o udpBlast udpBlast.c (the bench does it). Linux only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this process (user + system) in seconds. On veth the kernel forwards a sent
 * packet through the box's namespace in the sender's own softirq context, so this counts
 * most of the box's per-packet work too, and a busy shared machine disturbs it far less
 * than it disturbs packets per second. */
static double cpu(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int echo(int port) {
  int s = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  setsockopt(s, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
  for (;;) {
    char buf[2048], cbuf[256];
    struct sockaddr_in from;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t n = recvmsg(s, &m, 0);
    if (n <= 0 || buf[0] != 'P') continue;
    struct in_addr dst = {0};
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) dst = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr;
    char ob[CMSG_SPACE(sizeof(struct in_pktinfo))] = {0};
    iov.iov_len = (size_t)n;
    struct msghdr r = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = ob, .msg_controllen = sizeof ob};
    struct cmsghdr *c = CMSG_FIRSTHDR(&r);
    c->cmsg_level = IPPROTO_IP; c->cmsg_type = IP_PKTINFO; c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    ((struct in_pktinfo *)CMSG_DATA(c))->ipi_spec_dst = dst;
    sendmsg(s, &r, 0);
  }
}

/* One ping/pong to dst; returns the round trip in µs, or -1 after 200 ms without an answer. */
static double pingPong(int s, struct sockaddr_in *dst) {
  char p[18] = "P", buf[64];
  double t0 = now();
  sendto(s, p, sizeof p, 0, (struct sockaddr *)dst, sizeof *dst);
  struct pollfd pf = {s, POLLIN, 0};
  while (poll(&pf, 1, 200) > 0) {
    struct sockaddr_in from; socklen_t fl = sizeof from;
    if (recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) > 0 && from.sin_addr.s_addr == dst->sin_addr.s_addr)
      return (now() - t0) * 1e6;
    if (now() - t0 > 0.2) break;
  }
  return -1;
}

static int send_(double seconds, int rounds, int port, int ndst, char **names) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in *dst = calloc(ndst, sizeof *dst);
  for (int i = 0; i < ndst; i++) {
    dst[i].sin_family = AF_INET; dst[i].sin_port = htons(port);
    if (inet_pton(AF_INET, names[i], &dst[i].sin_addr) != 1) { fprintf(stderr, "bad address %s\n", names[i]); return 2; }
  }
  /* opens the flows: these round trips are each connection's first packet (new to conntrack) */
  double *open = calloc((size_t)ndst, sizeof *open);
  int nopen = 0;
  for (int i = 0; i < ndst; i++) { double x = pingPong(s, &dst[i]); if (x >= 0) open[nopen++] = x; }
  qsort(open, nopen, sizeof *open, cmpd);
  double *rtt = calloc((size_t)ndst * rounds + 1, sizeof *rtt);
  int nrtt = 0, lost = 0;
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < ndst; i++) { double x = pingPong(s, &dst[i]); if (x < 0) lost++; else rtt[nrtt++] = x; }
  qsort(rtt, nrtt, sizeof *rtt, cmpd);
  enum { BATCH = 64 };
  struct mmsghdr mm[BATCH];
  struct iovec iov[BATCH];
  char payload[18] = "F";
  long sent = 0;
  int next = 0;
  double t0 = now(), t1 = t0, c0 = cpu();
  while ((t1 = now()) - t0 < seconds) {
    for (int k = 0; k < BATCH; k++) {
      iov[k].iov_base = payload; iov[k].iov_len = sizeof payload;
      memset(&mm[k], 0, sizeof mm[k]);
      mm[k].msg_hdr.msg_name = &dst[next]; mm[k].msg_hdr.msg_namelen = sizeof dst[next];
      mm[k].msg_hdr.msg_iov = &iov[k]; mm[k].msg_hdr.msg_iovlen = 1;
      next = (next + 1) % ndst;
    }
    int n = sendmmsg(s, mm, BATCH, 0);
    if (n > 0) sent += n;
    else if (errno != ENOBUFS && errno != EAGAIN && errno != EPERM) { perror("sendmmsg"); return 1; }
  }
  double cpuNs = sent ? (cpu() - c0) * 1e9 / sent : -1;
  printf("{\"cpuNsPerPacket\":%.0f,\"sent\":%ld,\"seconds\":%.4f,\"rttP50us\":%.1f,\"rttP99us\":%.1f,\"rttSamples\":%d,\"lost\":%d,\"newP50us\":%.1f,\"newOk\":%d}\n",
         cpuNs, sent, t1 - t0, nrtt ? rtt[nrtt / 2] : -1, nrtt ? rtt[(nrtt * 99) / 100] : -1, nrtt, lost, nopen ? open[nopen / 2] : -1, nopen);
  return 0;
}

static int newflows(double seconds, int port, int nports, int ndst, char **names) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in *dst = calloc(ndst, sizeof *dst);
  for (int i = 0; i < ndst; i++) {
    dst[i].sin_family = AF_INET;
    if (inet_pton(AF_INET, names[i], &dst[i].sin_addr) != 1) { fprintf(stderr, "bad address %s\n", names[i]); return 2; }
  }
  enum { BATCH = 64 };
  struct mmsghdr mm[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in to[BATCH];
  char payload[18] = "N";
  long sent = 0, pair = 0;
  double t0 = now(), t1 = t0, c0 = cpu();
  while ((t1 = now()) - t0 < seconds) {
    for (int k = 0; k < BATCH; k++) {
      long p = pair + k;
      to[k] = dst[p % ndst];
      to[k].sin_port = htons(port + (int)((p / ndst) % nports));
      iov[k].iov_base = payload; iov[k].iov_len = sizeof payload;
      memset(&mm[k], 0, sizeof mm[k]);
      mm[k].msg_hdr.msg_name = &to[k]; mm[k].msg_hdr.msg_namelen = sizeof to[k];
      mm[k].msg_hdr.msg_iov = &iov[k]; mm[k].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(s, mm, BATCH, 0);
    if (n > 0) { sent += n; pair += n; }
    else if (errno != ENOBUFS && errno != EAGAIN && errno != EPERM) { perror("sendmmsg"); return 1; }
  }
  double cpuNs = sent ? (cpu() - c0) * 1e9 / sent : -1;
  printf("{\"cpuNsPerPacket\":%.0f,\"sent\":%ld,\"seconds\":%.4f,\"pairs\":%ld}\n", cpuNs, sent, t1 - t0, (long)ndst * nports);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "echo")) return echo(atoi(argv[2]));
  if (argc >= 6 && !strcmp(argv[1], "send")) return send_(atof(argv[2]), atoi(argv[3]), atoi(argv[4]), argc - 5, argv + 5);
  if (argc >= 6 && !strcmp(argv[1], "newflows")) return newflows(atof(argv[2]), atoi(argv[3]), atoi(argv[4]), argc - 5, argv + 5);
  fprintf(stderr, "usage: udpBlast echo PORT | udpBlast send SECONDS ROUNDS PORT DST... | udpBlast newflows SECONDS PORT NPORTS DST...\n");
  return 2;
}
