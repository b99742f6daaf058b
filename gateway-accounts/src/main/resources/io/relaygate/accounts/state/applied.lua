-- Prepended to spend.lua and usage.lua (RedisSharedState joins them): the deduplication of a writer's usage writes.
--
-- Whether the writer's write {seq} (with the writer's low mark {low}) was applied before; if not, marks it applied.
-- The set remembers the highest low mark it was given (member 'L'), so an old write's lower mark cannot revive numbers
-- it forgot; it forgets the numbers below that mark once the mark has moved on by 32 (one write in 32 pays for it).
local function applied(set, seq, low)
  local scores = redis.call('ZMSCORE', set, seq, 'L')
  local known = tonumber(scores[2] or '-1')
  low = tonumber(low)
  if tonumber(seq) < math.max(low, known) or scores[1] then return true end
  redis.call('ZADD', set, seq, seq)
  if not scores[2] or low >= known + 32 then
    -- as an integer string: Lua would print a 16-digit number as %.14g and lose its last digits
    local lows = string.format('%d', math.max(low, known))
    redis.call('ZADD', set, lows, 'L')
    redis.call('ZREMRANGEBYSCORE', set, '-inf', '(' .. lows)
    redis.call('PEXPIRE', set, 604800000)
  end
  return false
end

