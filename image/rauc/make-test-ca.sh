#!/usr/bin/env bash
# make-test-ca.sh DIR [NAME] — a throwaway RAUC signing CA and a signing certificate, for
# development builds and tests only (a provider keeps its real CA key offline). Writes
# DIR/ca.cert.pem (the image keyring), DIR/signing.cert.pem and DIR/signing.key.pem.
set -euo pipefail
umask 077
DIR="${1:?usage: make-test-ca.sh DIR [NAME]}"
NAME="${2:-Otasuke UTM test}"
mkdir -p -- "$DIR"
cat >"${DIR}/ext.cnf" <<EOT
[ca]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[leaf]
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/O=${NAME}/CN=${NAME} CA" -keyout "${DIR}/ca.key.pem" -out "${DIR}/ca.cert.pem" \
  -extensions ca -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat "${DIR}/ext.cnf") 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/O=${NAME}/CN=${NAME} signing" -keyout "${DIR}/signing.key.pem" -out "${DIR}/signing.csr" 2>/dev/null
openssl x509 -req -in "${DIR}/signing.csr" -CA "${DIR}/ca.cert.pem" -CAkey "${DIR}/ca.key.pem" \
  -CAcreateserial -days 3650 -extfile "${DIR}/ext.cnf" -extensions leaf -out "${DIR}/signing.cert.pem" 2>/dev/null
rm -f -- "${DIR}/signing.csr"
chmod 0644 -- "${DIR}/ca.cert.pem" "${DIR}/signing.cert.pem"
