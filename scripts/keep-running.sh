#!/usr/bin/env bash
# keep-running.sh COMMAND...: runs a Procfile process and starts it again when it dies on its
# own, waiting 1, 2, 4 … 30 s between tries. Without it a crashed worker makes honcho stop
# the web server, beat and the SMTP sink too. Ctrl-C (SIGINT) or honcho's SIGTERM stop it
# for good: the signal goes on to the process, and this script ends when it has.
set -u
stopping=0
child=0
stop() {
  stopping=1
  if [ "$child" -ne 0 ]; then kill -TERM "$child" 2>/dev/null; fi
}
trap stop INT TERM

delay=1
while :; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  # A trapped signal ends `wait` early: wait on until the process has really finished.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    status=$?
  done
  [ "$stopping" -eq 1 ] && exit 0
  echo "$(date +%T) '$1' ended with status $status; starting it again in ${delay} s" >&2
  sleep "$delay" &
  wait $!
  [ "$stopping" -eq 1 ] && exit 0
  delay=$((delay < 16 ? delay * 2 : 30))
done
