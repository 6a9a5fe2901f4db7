import { describe, expect, it } from "vitest";
import { adaptationWindows } from "./windows.js";

describe("adaptationWindows", () => {
  it("reproduces Stan's schedule for 1000 warm-up iterations", () => {
    // Stan: windows [75,100) [100,150) [150,250) [250,450) [450,950); term buffer 50
    expect(adaptationWindows(1000).ends).toEqual([99, 149, 249, 449, 949]);
  });

  it("stretches the last slow window to meet the terminal buffer", () => {
    expect(adaptationWindows(500).ends).toEqual([99, 149, 249, 449]);
    // 600: a 200-wide window [250,450) would leave 100 < 2 x 200 before the terminal buffer
    expect(adaptationWindows(600).ends).toEqual([99, 149, 249, 549]);
  });

  it("falls back to 15% / 75% / 10% for short warm-ups", () => {
    const w = adaptationWindows(100);
    expect(w.initBuffer).toBe(15);
    expect(w.termBuffer).toBe(10);
    expect(w.ends).toEqual([89]);
  });
});
