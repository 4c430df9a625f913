#!/bin/bash
# The init of test/bench/flowtableVm.bench.ts's VM (Debian 13's kernel, trixie's nft): builds an
# office in namespaces (LAN host lan ↔ box ↔ internet host wan, documentation addresses for the
# internet), measures the scenarios the host asked for in interleaved rounds (floor, A, floor,
# B, …, floor), checks that the flowtable really offloads and what conntrack still counts,
# asks the flowtable probe's question, and tries a flowtable for bridged traffic. Each result
# is one line on the second serial port (/dev/ttyS1): `R <kind> <json>`; progress goes to the
# console. Reads /flowvm/params (ROUNDS, BLAST_SECONDS, TCP_BYTES, SCENARIOS), /flowvm/rulesets/*, /flowvm/udpBlast.
# Powers the VM off at the end, also on error.
set -uo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /run /tmp && mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /tmp
exec 3>/dev/ttyS1
trap 'echo "R done {}" >&3; sync; echo o > /proc/sysrq-trigger; poweroff -f' EXIT
# shellcheck source=/dev/null
. /flowvm/params
F=/flowvm
R() { printf 'R %s %s\n' "$1" "$2" >&3; }
log() { echo "flowvm: $*" > /dev/console; }
# a string as a JSON string (quotes, backslashes, newlines, tabs)
js() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; printf '"%s"' "$s"; }
box() { ip netns exec box "$@"; }
lan() { ip netns exec lan "$@"; }
wan() { ip netns exec wan "$@"; }

for m in nf_tables nf_conntrack nf_conntrack_netlink nft_ct nf_nat nft_chain_nat nft_masq nf_flow_table nf_flow_table_inet nft_flow_offload \
  veth bridge br_netfilter nfnetlink_log nft_log nft_limit nft_reject_inet nft_counter; do
  modprobe "$m" 2>/dev/null || log "modprobe $m failed (built in?)"
done
R env "{\"kernel\":$(js "$(uname -r)"),\"nft\":$(js "$(nft --version)"),\"conntrack\":$(js "$(conntrack --version 2>&1)"),\"iperf3\":$(js "$(iperf3 --version | head -n 1)"),\"cpus\":$(nproc),\"modules\":$(js "$(grep -E '^(nf_flow_table|nft_flow_offload|nf_flow_table_inet) ' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')")}"

# --- the office ----------------------------------------------------------------------------
DESTS=$(cat $F/dests)
ip netns add lan; ip netns add box; ip netns add wan
ip link add eth1 netns box type veth peer name eth0 netns lan
ip link add eth0 netns box type veth peer name eth0 netns wan
for n in lan box wan; do ip -n $n link set lo up; ip -n $n link set eth0 up; done
ip -n box link set eth1 up
ip -n box addr add 100.64.77.2/30 dev eth0; ip -n box addr add 192.168.77.1/24 dev eth1
ip -n box route add default via 100.64.77.1
box sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_timestamp=1
ip -n lan addr add 192.168.77.101/24 dev eth0; ip -n lan route add default via 192.168.77.1
ip -n wan addr add 100.64.77.1/30 dev eth0; ip -n wan route add 192.168.77.0/24 via 100.64.77.2
for p in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do ip -n wan route add local $p dev lo; done
# the internet side counts and drops the flood (first payload byte 'F'), echoes the pings
cat > /tmp/count.nft <<'EOF'
table inet bench {
 counter flood {}
 chain pre { type filter hook prerouting priority raw; policy accept; udp dport 7 @th,64,8 0x46 counter name flood drop; }
}
EOF
wan nft -f /tmp/count.nft
wan $F/udpBlast echo 7 & ECHO=$!
wan iperf3 -s -D >/dev/null 2>&1
sleep 1
flood() { wan nft -j list counter inet bench flood | grep -o '"packets": *[0-9]*' | grep -o '[0-9]*$'; }

FLUSH=$'table inet utm {}\ndelete table inet utm\n'
load() { # scenario name → loads its ruleset into the box: NAME.nft (text) or NAME.json, then NAME.post.nft
  printf '%s' "$FLUSH" | box nft -f - || return 1
  if [ -f "$F/rulesets/$1.nft" ]; then box nft -f "$F/rulesets/$1.nft" || return 1; fi
  if [ -f "$F/rulesets/$1.json" ]; then box nft -j -f "$F/rulesets/$1.json" || return 1; fi
  if [ -f "$F/rulesets/$1.post.nft" ]; then box nft -f "$F/rulesets/$1.post.nft" || return 1; fi
  box conntrack -F >/dev/null 2>&1; return 0
}
N=0
measure() { # round scenario → one R sample line; R mark lines around the UDP flood and the TCP
  # stream let the host read QEMU's own CPU time at each edge (the cost, whatever the host's load)
  local before after udp tcp
  N=$((N + 1))
  # the UDP span includes udpBlast's opening ping/pong of its 256 flows (one socket per process)
  before=$(flood)
  R mark "{\"n\":$N,\"edge\":\"udp0\"}"
  # shellcheck disable=SC2086
  udp=$(lan $F/udpBlast send "$BLAST_SECONDS" 0 7 $DESTS)
  R mark "{\"n\":$N,\"edge\":\"udp1\"}"
  after=$(flood)
  local offl; offl=$(box conntrack -L 2>/dev/null | grep -c OFFLOAD)
  box conntrack -F >/dev/null 2>&1
  R mark "{\"n\":$N,\"edge\":\"tcp0\"}"
  tcp=$(lan iperf3 -J -c 192.0.2.100 -n "$TCP_BYTES" 2>/dev/null | tr -d '\n\t ' | grep -o '"sum_received":{[^}]*}' | head -n 1)
  R mark "{\"n\":$N,\"edge\":\"tcp1\"}"
  log "round $1 $2: $((after - before)) packets delivered"
  R sample "{\"n\":$N,\"round\":$1,\"scenario\":$(js "$2"),\"delivered\":$((after - before)),\"udp\":${udp:-null},\"offloaded\":$offl,\"tcp\":{${tcp:-}}}"
}

# --- measurements: floor, A, floor, B, …, floor ----------------------------------------------
for ((round = 1; round <= ROUNDS; round++)); do
  load floor && measure "$round" floor
  for sc in $SCENARIOS; do
    if load "$sc"; then measure "$round" "$sc"; else R skipped "{\"scenario\":$(js "$sc")}"; fi
    load floor && measure "$round" floor
  done
  log "round $round done"
done

# --- the probe's question, asked of this kernel and this nft (nft -c: nothing is applied) ----
out=$(box nft -c -j --debug=netlink -f $F/rulesets/probe.json 2>/tmp/probe.err); code=$?
nout=$(box nft -c --debug=netlink -f $F/rulesets/probe.nft 2>&1); ncode=$?
R probe "{\"native\":{\"code\":$ncode,\"out\":$(js "$nout")},\"code\":$code,\"stdout\":$(js "$out"),\"stderr\":$(js "$(cat /tmp/probe.err)"),\"tables\":$(js "$(box nft list tables)")}"

# --- utmd's apply path with the flowtable: check, apply, read back; and applied again over itself
offload_doc=shipped+ft
box nft -c -j -f $F/rulesets/$offload_doc.json 2>/tmp/e; c1=$?; e1=$(cat /tmp/e)
box nft -j -f $F/rulesets/$offload_doc.json 2>/tmp/e; c2=$?; e2=$(cat /tmp/e)
box nft -j -f $F/rulesets/$offload_doc.json 2>/tmp/e; c3=$?; e3=$(cat /tmp/e)
rb=$(box nft -j -t list table inet utm 2>&1)
ftl=$(box nft list flowtables 2>&1)
R apply "{\"check\":$c1,\"checkErr\":$(js "$e1"),\"apply\":$c2,\"applyErr\":$(js "$e2"),\"reapply\":$c3,\"reapplyErr\":$(js "$e3"),\"readBack\":$(js "$rb"),\"flowtables\":$(js "$ftl")}"

# --- offloaded flows: does conntrack still count them? (rendered flowtable with counter; the
# same JSON without flags = what nft 1.0.6's reader makes of it; no flowtable at all)
account() { # scenario → R account line: one 1 s blast over 256 fresh flows, then conntrack's counts
  load "$1" || { R account "{\"scenario\":$(js "$1"),\"loaded\":false}"; return; }
  local d1 d2 ct
  d1=$(flood)
  # shellcheck disable=SC2086
  lan $F/udpBlast send 1 0 7 $DESTS >/dev/null
  d2=$(flood)
  ct=$(box conntrack -L -p udp --dport 7 2>/dev/null)
  # original direction: the first packets= of each line (the opening ping + the flood)
  local orig; orig=$(printf '%s\n' "$ct" | sed -n 's/^.* dport=7 packets=\([0-9]*\) .*/\1/p' | awk '{s+=$1} END{print s+0}')
  R account "{\"scenario\":$(js "$1"),\"loaded\":true,\"delivered\":$((d2 - d1)),\"ctOrigPackets\":$orig,\"offloaded\":$(printf '%s\n' "$ct" | grep -c OFFLOAD),\"flows\":$(printf '%s\n' "$ct" | grep -c 'dport=7'),\"sample\":$(js "$(printf '%s\n' "$ct" | grep OFFLOAD | head -n 1)"),\"flowtable\":$(js "$(box nft list flowtables 2>&1)"),\"flowtableJson\":$(js "$(box nft -j list flowtables 2>&1)")}"
}
account shipped+ft
account shipped+ftc
account shipped+ft-noflags
account floor+ft
account shipped

# --- an offloaded flow skips the forward chain; conntrack -D (utmd's cut) brings it back -------
# one flow (one udpBlast process) for 15 s (it must outlast the checks under TCG): a drop rule
# for its peer is inserted above the fast path once it is offloaded, then its conntrack entry
# is deleted as utmd's cutter does
load shipped+ftc
D=192.0.2.100
lan $F/udpBlast send 15 0 7 $D >/dev/null & BLAST=$!
sleep 2
box nft insert rule inet utm forward ip daddr $D counter drop
c0=$(flood); sleep 2; c1=$(flood)
off=$(box conntrack -L -d $D 2>/dev/null | grep -c OFFLOAD)
box conntrack -D -d $D >/dev/null 2>&1; cut=$?
sleep 1; c2=$(flood); sleep 2; c3=$(flood)
wait $BLAST
drops=$(box nft list chain inet utm forward | grep -o "daddr $D counter packets [0-9]*" | grep -o '[0-9]*$')
R cut "{\"offloadedWhenListed\":$off,\"deliveredPastTheRule2s\":$((c1 - c0)),\"conntrackD\":$cut,\"deliveredInTheSecondAfter\":$((c2 - c1)),\"deliveredThe2sAfter\":$((c3 - c2)),\"droppedByTheRule\":${drops:-0}}"

# --- bridged traffic: a bridge-family flowtable, and an inet flowtable on bridge ports ---------
ip netns add lanb; ip netns add boxb; ip netns add wanb
ip link add eth1 netns boxb type veth peer name eth0 netns lanb
ip link add eth0 netns boxb type veth peer name eth0 netns wanb
ip -n boxb link add br0 type bridge
for i in eth0 eth1; do ip -n boxb link set $i master br0; ip -n boxb link set $i up; done
ip -n boxb link set br0 up
for n in lanb boxb wanb; do ip -n $n link set lo up; done
ip -n lanb link set eth0 up; ip -n wanb link set eth0 up
ip -n lanb addr add 192.168.78.101/24 dev eth0; ip -n lanb route add default via 192.168.78.1
ip -n wanb addr add 192.168.78.1/24 dev eth0
for p in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do ip -n wanb route add local $p dev lo; done
ip netns exec boxb sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.netfilter.nf_conntrack_acct=1
ip netns exec wanb nft -f /tmp/count.nft
ip netns exec wanb $F/udpBlast echo 7 & ECHOB=$!
sleep 1
bft=$'table bridge t {\n flowtable ft { hook ingress priority filter; devices = { eth0, eth1 }; }\n}\n'
bout=$(printf '%s' "$bft" | ip netns exec boxb nft -f - 2>&1); bcode=$?
brule=$'table bridge t2 {\n flowtable ft { hook ingress priority filter; devices = { eth0, eth1 }; }\n chain c { type filter hook forward priority filter; flow add @ft; }\n}\n'
rout=$(printf '%s' "$brule" | ip netns exec boxb nft -f - 2>&1); rcode=$?
iot=$'table inet t {\n flowtable ft { hook ingress priority filter; devices = { eth0, eth1 }; }\n chain forward { type filter hook forward priority filter; policy accept; meta l4proto { tcp, udp } flow add @ft; ct state established,related accept; }\n}\n'
iout=$(printf '%s' "$iot" | ip netns exec boxb nft -f - 2>&1); icode=$?
# no counter flag here: a flow the flowtable really forwards stops counting in conntrack
b0=$(ip netns exec wanb nft -j list counter inet bench flood | grep -o '"packets": *[0-9]*' | grep -o '[0-9]*$')
ip netns exec lanb $F/udpBlast send 1 1 7 192.0.2.100 192.0.2.101 192.0.2.102 192.0.2.103 >/dev/null
b1=$(ip netns exec wanb nft -j list counter inet bench flood | grep -o '"packets": *[0-9]*' | grep -o '[0-9]*$')
bct=$(ip netns exec boxb conntrack -L -p udp --dport 7 2>/dev/null)
borig=$(printf '%s\n' "$bct" | sed -n 's/^.* dport=7 packets=\([0-9]*\) .*/\1/p' | awk '{s+=$1} END{print s+0}')
R bridge "{\"bridgeFlowtable\":{\"code\":$bcode,\"out\":$(js "$bout")},\"bridgeFlowAdd\":{\"code\":$rcode,\"out\":$(js "$rout")},\"inetOnBridgePorts\":{\"code\":$icode,\"out\":$(js "$iout"),\"flows\":$(printf '%s\n' "$bct" | grep -c 'dport=7'),\"offloaded\":$(printf '%s\n' "$bct" | grep -c OFFLOAD),\"delivered\":$((b1 - b0)),\"ctOrigPackets\":$borig,\"conntrack\":$(js "$bct")}}"
kill $ECHO $ECHOB 2>/dev/null
