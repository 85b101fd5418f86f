-- The four routes in turn, on every connection: warm-up and the memory run.
-- Optional argument: a delay in milliseconds before each request (paced load for the memory run).
local requests = {}
local i = 0
local pause = 0

function init(args)
  pause = tonumber(args[1] or "0") or 0
  requests[1] = wrk.format("GET", "/")
  requests[2] = wrk.format("GET", "/user/42")
  requests[3] = wrk.format("POST", "/echo", { ["Content-Type"] = "application/json" },
    '{"name":"Ada Lovelace","age":36}')
  requests[4] = wrk.format("GET", "/mw")
  -- wrk checks for delay() after init(): without a pause, run flat out.
  if pause <= 0 then
    delay = nil
  end
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function delay()
  return pause
end
