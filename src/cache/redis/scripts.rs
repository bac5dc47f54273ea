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
/// KEYS: the cart merged from, the cart merged into. ARGV: a line's limit, the cart's lifetime.
pub const MERGE: &str = "local from = redis.call('HGETALL', KEYS[1])
for i = 1, #from, 2 do
  local cur = tonumber(redis.call('HGET', KEYS[2], from[i]) or '0')
  redis.call('HSET', KEYS[2], from[i], math.min(cur + tonumber(from[i + 1]), tonumber(ARGV[1])))
end
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return #from / 2";
pub const CLEAR: &str = "redis.call('DEL', KEYS[1])
return 1";
/// KEYS: cart, claim. ARGV: claim name, seconds the claim lives (the cart's), ms after which
/// another name finds it stale. Returns `{kind, detail}`: `claimed` or `resumed` with the held
/// lines as `car:quantity,...`, `held` (by another name), `stale` with the holder's name, or
/// `empty`.
pub const CLAIM: &str = "local now = redis.call('TIME')
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
local held = redis.call('HGET', KEYS[2], 'id')
if held then
  if held == ARGV[1] then return {'resumed', redis.call('HGET', KEYS[2], 'lines')} end
  if now_ms - tonumber(redis.call('HGET', KEYS[2], 'since')) > tonumber(ARGV[3]) then
    return {'stale', held}
  end
  return {'held', ''}
end
local all = redis.call('HGETALL', KEYS[1])
if #all == 0 then return {'empty', ''} end
local parts = {}
for i = 1, #all, 2 do parts[#parts + 1] = all[i] .. ':' .. all[i + 1] end
local lines = table.concat(parts, ',')
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'lines', lines, 'since', now_ms)
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {'claimed', lines}";
/// KEYS: cart, claim. ARGV: claim name. Takes the held lines out of the cart, once.
pub const SETTLE: &str = "if redis.call('HGET', KEYS[2], 'id') ~= ARGV[1] then return 0 end
local lines = redis.call('HGET', KEYS[2], 'lines')
for car, qty in string.gmatch(lines, '(%d+):(%d+)') do
  local left = tonumber(redis.call('HGET', KEYS[1], car) or '0') - tonumber(qty)
  if left > 0 then redis.call('HSET', KEYS[1], car, left) else redis.call('HDEL', KEYS[1], car) end
end
redis.call('DEL', KEYS[2])
return 1";
/// KEYS: cart, claim. ARGV: claim name.
pub const RELEASE: &str =
    "if redis.call('HGET', KEYS[2], 'id') == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1";
