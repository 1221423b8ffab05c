#!/usr/bin/env bash
# A single-node Slurm cluster on loopback, for tests and for trying `pipeline submit --slurm` on one machine
# (docs/cluster.md). Follows ../shared/notes/slurm.md: Debian's slurm-wlm and munge, SlurmUser=root, ports off the
# defaults, every state, spool, pid and log file under one folder.
#
#   scripts/slurm-cluster.sh start DIR   # installs what is missing (apt, as root), starts munged, slurmctld, slurmd;
#                                        # writes DIR/slurm.conf and DIR/env (`. DIR/env` sets SLURM_CONF)
#   scripts/slurm-cluster.sh stop DIR    # stops the three daemons by the pids in their pid files
#
# Each cluster has its own munged (its own socket and key under DIR) and its own free ports, so two clusters (two
# test runs at once) never meet. Exit status 0 only when the node is idle and a job can be submitted.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action="$1"
dir="$(mkdir -p "$2" && cd "$2" && pwd)"
conf="$dir/slurm.conf"

stop_pid_file() {
  local file="$1"
  [ -f "$file" ] || return 0
  local pid
  pid="$(cat "$file" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

if [ "$action" = "stop" ]; then
  stop_pid_file "$dir/slurmd.pid"
  stop_pid_file "$dir/slurmctld.pid"
  stop_pid_file "$dir/munge/private/munged.pid"
  echo "slurm-cluster: stopped ($dir)"
  exit 0
fi
[ "$action" = "start" ] || usage

fail() { echo "slurm-cluster: $*" >&2; for log in "$dir"/*.log "$dir"/munge/private/munged.log; do [ -f "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }; done; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "slurm-wlm and munge are not installed, and installing them needs root (apt-get install -y slurm-wlm munge)"
  echo "slurm-cluster: installing slurm-wlm and munge (apt)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >"$dir/apt.log" 2>&1 \
    || { apt-get update -q >>"$dir/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >>"$dir/apt.log" 2>&1; } \
    || fail "apt-get install slurm-wlm munge failed; see $dir/apt.log"
fi

# munged runs as the munge user and insists that everyone can reach its socket's folder (munge/, mode 755) and that
# only it can read its key (munge/private/, mode 700).
chmod 755 "$dir"
mkdir -p "$dir/munge/private" "$dir/spool/ctld" "$dir/spool/d"
chown munge:munge "$dir/munge" "$dir/munge/private"
chmod 755 "$dir/munge"
chmod 700 "$dir/munge/private"
key="$dir/munge/private/munge.key"
if [ ! -f "$key" ]; then
  dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  chown munge:munge "$key"
  chmod 400 "$key"
fi
socket="$dir/munge/munge.socket"
runuser -u munge -- munged --socket="$socket" --key-file="$key" --pid-file="$dir/munge/private/munged.pid" \
  --log-file="$dir/munge/private/munged.log" --seed-file="$dir/munge/private/munged.seed" || fail "munged did not start"
munge -S "$socket" -n | unmunge -S "$socket" >/dev/null || fail "munge -n | unmunge failed on $socket"

# Two free ports, off Slurm's defaults (6817, 6818), so a cluster never collides with a real one or with another test.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Htan "sport = :$port" | grep -q .; then echo "$port"; return 0; fi
  done
  return 1
}
ctld_port="$(free_port)" || fail "no free port"
d_port="$(free_port)" || fail "no free port"
[ "$d_port" != "$ctld_port" ] || d_port=$((ctld_port + 1))
host="$(hostname -s)"

cat >"$conf" <<EOF
# Written by scripts/slurm-cluster.sh: a single-node cluster on loopback.
ClusterName=pipeline
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SchedulerParameters=sched_min_interval=100000
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

export SLURM_CONF="$conf"
echo "export SLURM_CONF=$conf" >"$dir/env"
slurmctld -f "$conf" || fail "slurmctld did not start"
slurmd -f "$conf" || fail "slurmd did not start"
for _ in $(seq 1 60); do
  state="$(sinfo -h -N -o %t 2>/dev/null | head -n 1 || true)"
  case "$state" in idle*|mix*|alloc*) echo "slurm-cluster: up on 127.0.0.1:$ctld_port, node $host $state; . $dir/env"; exit 0 ;; esac
  sleep 0.5
done
fail "the node did not become idle within 30 s (sinfo: ${state:-no answer})"
