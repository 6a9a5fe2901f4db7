import { describe, expect, it } from "vitest";
import { checkMarketConfig } from "./market-config.js";

const known = new Set(["World", "Peers"]);

describe("checkMarketConfig", () => {
  it("accepts regimes from the fund's start, then on increasing dates", () => {
    expect(
      checkMarketConfig(
        {
          regimes: [
            { from: null, market: "World", comparable: "Peers" },
            { from: "2020-04-01", market: "Peers", comparable: null },
          ],
        },
        known,
      ),
    ).toEqual([]);
  });

  it("names every bad field: dates that are not dates, order, unknown series", () => {
    const problems = checkMarketConfig(
      {
        regimes: [
          { from: "2020-05-01", market: "World", comparable: null },
          { from: "2020-13-01", market: "Nope", comparable: null },
          { from: "2020-02-30", market: "", comparable: "Gone" },
          { from: "2020-04-01", market: "World", comparable: null },
          { from: null, market: "World", comparable: null },
        ],
      },
      known,
    );
    expect(problems.map((p) => p.field)).toEqual([
      "regimes[1].from",
      "regimes[1].market",
      "regimes[2].from",
      "regimes[2].market",
      "regimes[2].comparable",
      "regimes[3].from",
      "regimes[4].from",
    ]);
    expect(checkMarketConfig({ regimes: [] }, known)).toEqual([
      { field: "regimes", message: "at least one regime is needed" },
    ]);
  });
});
