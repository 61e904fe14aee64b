-- Random doc pages of the generated corpus, one per request, with a fixed pause per
-- connection (wrk has no rate flag).
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local pause = tonumber(os.getenv("DELAY_MS") or "10")
local space = "docs"
math.randomseed(42)
function delay() return pause end
function request()
  return wrk.format("GET", "/doc/" .. space .. "/" .. paths[math.random(#paths)])
end
