#!/bin/sh
# Starts redis-server with one ACL user per component: the rules come from users.acl.rules (generated from
# libs/transport/src/redis-acl.ts by `npm run redis-acl -- compose-rules`), each password from REDIS_PASSWORD_<USER>
# (upper case, '-' as '_'), stored as its SHA-256. The default user is off: nothing connects anonymously.
set -eu
rules=${REDIS_ACL_RULES:-/etc/redis/users.acl.rules}
acl=/tmp/users.acl
umask 077
echo 'user default off' >"$acl"
grep -v '^#' "$rules" >/tmp/users.rules
while read -r name rest; do
  [ -n "$name" ] || continue
  var="REDIS_PASSWORD_$(echo "$name" | tr 'a-z-' 'A-Z_')"
  password=$(printenv "$var" || true)
  if [ -z "$password" ]; then
    echo "redis: $var is not set (the password of ACL user $name)" >&2
    exit 1
  fi
  hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
  echo "user $name on #$hash $rest" >>"$acl"
done </tmp/users.rules
exec redis-server --aclfile "$acl" "$@"
