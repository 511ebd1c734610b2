"""Per-provider send rates shared by every worker, kept in Redis.

Per second: a GCRA meter (one message every 1/rate seconds, no bursts), so a
gateway measuring any one-second window never sees more than rate + 1.
Per hour and per day: fixed calendar windows (local time), the way SMTP relays
and SMS contracts count. One Lua script checks and takes all three atomically,
with Redis' own clock, so workers on several machines share one budget.
"""

import functools

import redis
from django.conf import settings
from django.utils import timezone

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local per_hour, per_day = tonumber(ARGV[2]), tonumber(ARGV[3])
local offset = tonumber(ARGV[4])
local local_s = math.floor(now / 1000000) + offset
local hour_key = KEYS[2] .. ':' .. math.floor(local_s / 3600)
local day_key = KEYS[3] .. ':' .. math.floor(local_s / 86400)
if per_day > 0 and tonumber(redis.call('GET', day_key) or '0') >= per_day then
  return 86400 * 1000000 - (local_s % 86400) * 1000000
end
if per_hour > 0 and tonumber(redis.call('GET', hour_key) or '0') >= per_hour then
  return 3600 * 1000000 - (local_s % 3600) * 1000000
end
if interval > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat > now then return tat - now end
  redis.call('SET', KEYS[1], now + interval, 'PX', math.ceil(interval / 1000) + 1000)
end
if per_hour > 0 then redis.call('INCR', hour_key); redis.call('EXPIRE', hour_key, 7200) end
if per_day > 0 then redis.call('INCR', day_key); redis.call('EXPIRE', day_key, 172800) end
return 0
"""


@functools.cache
def _client(url):
    return redis.Redis.from_url(url)


class RateLimiter:
    """`acquire()` takes one message from the budget and returns 0, or the seconds to wait."""

    def __init__(self, name, per_second=0, per_hour=0, per_day=0):
        self.name = name
        self.per_second, self.per_hour, self.per_day = per_second, per_hour, per_day
        self._script = _client(settings.REDIS_URL).register_script(_ACQUIRE)

    @property
    def unlimited(self):
        return not (self.per_second or self.per_hour or self.per_day)

    def acquire(self):
        if self.unlimited:
            return 0.0
        prefix = f"{settings.MESSAGING_RATE_LIMIT_PREFIX}:{self.name}"
        interval_us = round(1_000_000 / self.per_second) if self.per_second else 0
        offset = int(timezone.localtime().utcoffset().total_seconds())
        wait_us = self._script(
            keys=[f"{prefix}:tat", f"{prefix}:hour", f"{prefix}:day"],
            args=[interval_us, self.per_hour, self.per_day, offset],
        )
        return int(wait_us) / 1_000_000
