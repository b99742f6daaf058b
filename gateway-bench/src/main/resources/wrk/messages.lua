-- wrk script: POST an Anthropic Messages request. Usage:
--   KEY=rg_... STREAM=false wrk -t2 -c32 -d20s -s messages.lua http://127.0.0.1:3000/v1/messages
local key = os.getenv("KEY") or "mock-text"
local stream = os.getenv("STREAM") or "false"
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["x-api-key"] = key
wrk.body = '{"model":"claude-sonnet-4-5","max_tokens":256,"stream":' .. stream ..
  ',"messages":[{"role":"user","content":"Say hello in five words."}]}'
