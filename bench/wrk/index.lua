-- The index page with a status filter and a random page of results.
local pause = tonumber(os.getenv("DELAY_MS") or "20")
local statuses = {"", "draft", "review", "approved"}
math.randomseed(3)
function delay() return pause end
function request()
  local s = statuses[math.random(#statuses)]
  return wrk.format("GET", "/?status=" .. s .. "&offset=" .. (math.random(0, 20) * 100))
end
