export type { DatedFlow, Multiples } from "./cash-flows.js";
export { dayNumber, multiples, netByDate, periodicIrr, xirr } from "./cash-flows.js";
export type { IndexedFlow } from "./pme.js";
export { directAlpha, ksPme, longNickels } from "./pme.js";
export type { Solved } from "./solve.js";
export { solveRate } from "./solve.js";
