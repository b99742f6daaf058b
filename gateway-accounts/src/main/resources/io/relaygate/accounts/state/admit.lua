-- Admission of one request under its key's limits, all or nothing, plus the sticky-session lookup.
-- Every key is tagged {k:<key id>}, so the script touches one slot (Redis Cluster safe).
-- Time comes from the caller (ARGV[1]); Redis expiries only collect garbage, with slack.
--
-- KEYS[1] lease zset (lease id -> expiry ms)   KEYS[2] request window counter   KEYS[3] token window counter
-- KEYS[4] usage hash of the day               KEYS[5] usage hash of the week   KEYS[6] usage hash in total
-- KEYS[7] sticky session (value "<account id>|<expiry ms>")
-- ARGV[1] now ms            ARGV[2] lease id            ARGV[3] lease ttl ms     ARGV[4] max concurrency (-1: none)
-- ARGV[5] max requests      ARGV[6] request window end  ARGV[7] max tokens       ARGV[8] token window end
-- ARGV[9] daily cost micros ARGV[10] weekly cost micros ARGV[11] total cost micros
-- ARGV[12] day end ms       ARGV[13] week end ms        ARGV[14] sticky ttl ms   ARGV[15] look up sticky (1/0)
-- Returns {admitted 1/0, limit name, reset ms (-1: never), current value, sticky account id}.

local now = tonumber(ARGV[1])
local SLACK = 60000

local function refuse(limit, reset, current)
  return {0, limit, tostring(reset), tostring(current), ''}
end

local function spent(key)
  return tonumber(redis.call('HGET', key, 'cost') or '0')
end

local total = tonumber(ARGV[11])
if total >= 0 then
  local c = spent(KEYS[6])
  if c >= total then return refuse('total-cost', -1, c) end
end
local weekly = tonumber(ARGV[10])
if weekly >= 0 then
  local c = spent(KEYS[5])
  if c >= weekly then return refuse('weekly-cost', ARGV[13], c) end
end
local daily = tonumber(ARGV[9])
if daily >= 0 then
  local c = spent(KEYS[4])
  if c >= daily then return refuse('daily-cost', ARGV[12], c) end
end

local maxTokens = tonumber(ARGV[7])
if maxTokens >= 0 then
  local used = tonumber(redis.call('GET', KEYS[3]) or '0')
  if used >= maxTokens then return refuse('tokens', ARGV[8], used) end
end

local maxRequests = tonumber(ARGV[5])
if maxRequests >= 0 then
  local count = tonumber(redis.call('GET', KEYS[2]) or '0')
  if count >= maxRequests then return refuse('requests', ARGV[6], count) end
end

local maxConcurrency = tonumber(ARGV[4])
if maxConcurrency >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local held = redis.call('ZCARD', KEYS[1])
  if held >= maxConcurrency then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return refuse('concurrency', first[2] or now, held)
  end
  local expiry = now + tonumber(ARGV[3])
  redis.call('ZADD', KEYS[1], expiry, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + SLACK)
end

if maxRequests >= 0 then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], math.max(tonumber(ARGV[6]) - now, 0) + SLACK)
end

local sticky = ''
if ARGV[15] == '1' then
  local v = redis.call('GET', KEYS[7])
  if v then
    local bar = string.find(v, '|', 1, true)
    local expiry = tonumber(string.sub(v, bar + 1))
    if expiry > now then
      sticky = string.sub(v, 1, bar - 1)
      local ttl = tonumber(ARGV[14])
      redis.call('SET', KEYS[7], sticky .. '|' .. (now + ttl), 'PX', ttl + SLACK)
    else
      redis.call('DEL', KEYS[7])
    end
  end
end
return {1, '', '-1', '0', sticky}
