#!/usr/bin/env bash
# Installs Debian packages without letting their maintainer scripts start the system services
# (apache2, proftpd): the test servers run their own instance on 127.0.0.1 instead.
# Usage: apt-install-nostart.sh PACKAGE...
set -euo pipefail
made=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made=1
fi
cleanup() { if [ "$made" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
