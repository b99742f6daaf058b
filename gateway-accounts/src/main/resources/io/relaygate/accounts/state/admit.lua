-- Admission of one request under its key's limits, all or nothing, plus the sticky-session lookup.
-- Every key is tagged {k:<key id>}, so the script touches one slot (Redis Cluster safe).
-- Time comes from the caller (ARGV[1]); Redis expiries only collect garbage, with slack.
--
-- KEYS[1] lease zset (lease id -> expiry ms; member '~': the set's expiry, below)   KEYS[2] request window counter   KEYS[3] token window counter
-- KEYS[4] usage hash of the day               KEYS[5] usage hash of the week   KEYS[6] usage hash in total
-- KEYS[7] sticky session (value "<account id>|<expiry ms>")
-- ARGV[1] now ms            ARGV[2] lease id            ARGV[3] lease ttl ms     ARGV[4] max concurrency (-1: none)
-- ARGV[5] max requests      ARGV[6] request window end  ARGV[7] max tokens       ARGV[8] token window end
-- ARGV[9] daily cost micros ARGV[10] weekly cost micros ARGV[11] total cost micros
-- ARGV[12] day end ms       ARGV[13] week end ms        ARGV[14] sticky ttl ms   ARGV[15] look up sticky (1/0)
-- Returns {admitted 1/0, limit name, reset ms (-1: never), current value, sticky account id, and when admitted the
-- cost of the day, week and total as read for the cost limits, the token window's tokens, the request window's count
-- and the leases held, these two with this request's (each -1: no such limit)}. An event loop that learns from these
-- how far the key is from its limits admits its next requests itself for a moment (RedisLoopStandings).

local now = tonumber(ARGV[1])
local SLACK = 60000

local function refuse(limit, reset, current)
  return {0, limit, tostring(reset), tostring(current), ''}
end

local function spent(key)
  return tonumber(redis.call('HGET', key, 'cost') or '0')
end

-- what was spent is returned on admission too: the gateway tells the client its standing against its cost limits
local spentTotal, spentWeek, spentDay = -1, -1, -1
local total = tonumber(ARGV[11])
if total >= 0 then
  spentTotal = spent(KEYS[6])
  if spentTotal >= total then return refuse('total-cost', -1, spentTotal) end
end
local weekly = tonumber(ARGV[10])
if weekly >= 0 then
  spentWeek = spent(KEYS[5])
  if spentWeek >= weekly then return refuse('weekly-cost', ARGV[13], spentWeek) end
end
local daily = tonumber(ARGV[9])
if daily >= 0 then
  spentDay = spent(KEYS[4])
  if spentDay >= daily then return refuse('daily-cost', ARGV[12], spentDay) end
end

local maxTokens = tonumber(ARGV[7])
local tokensUsed, requestCount, leasesHeld = -1, -1, -1
local maxRequests = tonumber(ARGV[5])
local lookSticky = ARGV[15] == '1'
-- the two windows and the sticky session in one read (one slot, one command)
local windows = {false, false, false}
if maxTokens >= 0 or maxRequests >= 0 or lookSticky then
  windows = redis.call('MGET', KEYS[3], KEYS[2], KEYS[7])
end
if maxTokens >= 0 then
  tokensUsed = tonumber(windows[1] or '0')
  if tokensUsed >= maxTokens then return refuse('tokens', ARGV[8], tokensUsed) end
end

if maxRequests >= 0 then
  requestCount = tonumber(windows[2] or '0')
  if requestCount >= maxRequests then return refuse('requests', ARGV[6], requestCount) end
  requestCount = requestCount + 1
end

local maxConcurrency = tonumber(ARGV[4])
if maxConcurrency >= 0 then
  -- live leases only; expired ones (a crashed instance's) are swept on a refusal and now and then (1 in 64 lease ids)
  local held = redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
  if held >= maxConcurrency then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '(0', now)
    local first = redis.call('ZRANGE', KEYS[1], '(' .. now, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
    return refuse('concurrency', first[2] or now, held)
  end
  leasesHeld = held + 1
  if string.byte(ARGV[2], -1) % 64 == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '(0', now) end
  local ttl = tonumber(ARGV[3])
  -- The set must outlive its newest lease. Its member '~' (score: minus the deadline the set's expiry was last set
  -- to; negative, so never counted or swept as a lease) lets the lease's own ZADD tell whether the expiry must move:
  -- LT CH counts '~' only when it is new (a new set, or one an operator emptied) or this deadline is later. The
  -- deadline is rounded up to a multiple of the lease ttl, so a busy key moves it once per ttl, not per request.
  local deadline = math.ceil((now + ttl + SLACK) / ttl) * ttl
  if redis.call('ZADD', KEYS[1], 'LT', 'CH', now + ttl, ARGV[2], -deadline, '~') == 2 then
    redis.call('PEXPIRE', KEYS[1], deadline - now)
  end
end

-- a window's counter is made by its first request, which also sets its expiry (the window's end never moves)
if maxRequests >= 0 and redis.call('INCR', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], math.max(tonumber(ARGV[6]) - now, 0) + SLACK)
end

local sticky = ''
if lookSticky then
  local v = windows[3]
  if v then
    local bar = string.find(v, '|', 1, true)
    local expiry = tonumber(string.sub(v, bar + 1))
    if expiry > now then
      sticky = string.sub(v, 1, bar - 1)
      local ttl = tonumber(ARGV[14])
      -- renewed when it has aged by a 64th of its ttl: the turns of a conversation that come close together only read it
      if now + ttl - expiry >= ttl / 64 then
        redis.call('SET', KEYS[7], sticky .. '|' .. (now + ttl), 'PX', ttl + SLACK)
      end
    else
      redis.call('DEL', KEYS[7])
    end
  end
end
return {1, '', '-1', '0', sticky, tostring(spentDay), tostring(spentWeek), tostring(spentTotal), tostring(tokensUsed),
  tostring(requestCount), tostring(leasesHeld)}
