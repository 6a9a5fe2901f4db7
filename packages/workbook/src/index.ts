export type { CellResult } from "./cells.js";
export { readAmount, readDate } from "./cells.js";
export type { Format, Sniffed } from "./grid.js";
export { describeUnsupported, detectFormat, SNIFF_BYTES, sniffFormat } from "./grid.js";
export type { ReturnSeries, SeriesParseResult } from "./parse-series.js";
export { parseReturnSeries } from "./parse-series.js";
export type {
  FundRow,
  MarketAssignment,
  ParsedFund,
  ParseOptions,
  ParseResult,
  Problem,
} from "./parse-workbook.js";
export { parseWorkbook } from "./parse-workbook.js";
export { workbookTemplate } from "./template.js";
