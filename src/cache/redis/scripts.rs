//! The Lua scripts cart changes run as, each one atomic inside Redis.

pub const LINES: &str = "local all = redis.call('HGETALL', KEYS[1])
if #all > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return all";
/// Returns the new quantity, or `-1 - current` when the line would go above the limit.
pub const ADD: &str = "local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local n = cur + tonumber(ARGV[2])
if n > tonumber(ARGV[3]) then return -1 - cur end
redis.call('HSET', KEYS[1], ARGV[1], n)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return n";
pub const SET: &str = "if tonumber(ARGV[2]) == 0 then redis.call('HDEL', KEYS[1], ARGV[1])
else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1";
pub const TAKE: &str = "local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all";
/// ARGV: ttl, max, then car/quantity pairs; each line is raised by its quantity, capped at max.
pub const RESTORE: &str = "for i = 3, #ARGV, 2 do
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  redis.call('HSET', KEYS[1], ARGV[i], math.min(cur + tonumber(ARGV[i + 1]), tonumber(ARGV[2])))
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1";
