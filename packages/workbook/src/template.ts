import ExcelJS from "exceljs";

/**
 * The documented upload template: a "Data" sheet with one row per fund per date, a "Market" sheet
 * naming each fund's series, and a "Read me" sheet saying what each column means.
 */
export async function workbookTemplate(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Portal";
  const data = wb.addWorksheet("Data");
  data.columns = [
    { header: "Fund", key: "fund", width: 28 },
    { header: "Date", key: "date", width: 12, style: { numFmt: "yyyy-mm-dd" } },
    { header: "Contribution", key: "contribution", width: 16, style: { numFmt: "#,##0.00" } },
    { header: "Distribution", key: "distribution", width: 16, style: { numFmt: "#,##0.00" } },
    { header: "GP NAV", key: "nav", width: 16, style: { numFmt: "#,##0.00" } },
    { header: "Secondary price", key: "secondary", width: 16, style: { numFmt: "#,##0.00" } },
  ];
  data.getRow(1).font = { bold: true };
  data.addRow({
    fund: "Example Buyout Fund I",
    date: new Date(Date.UTC(2020, 0, 15)),
    contribution: 2_500_000,
  });
  data.addRow({
    fund: "Example Buyout Fund I",
    date: new Date(Date.UTC(2020, 2, 31)),
    nav: 2_430_000,
  });
  data.addRow({
    fund: "Example Buyout Fund I",
    date: new Date(Date.UTC(2020, 5, 30)),
    contribution: 1_000_000,
    nav: 3_610_000,
  });
  const market = wb.addWorksheet("Market");
  market.columns = [
    { header: "Fund", key: "fund", width: 28 },
    { header: "Market series", key: "market", width: 20 },
    { header: "Comparable series", key: "comparable", width: 20 },
  ];
  market.getRow(1).font = { bold: true };
  market.addRow({ fund: "Example Buyout Fund I", market: "MSCI World", comparable: "Listed PE" });
  const readme = wb.addWorksheet("Read me");
  readme.getColumn(1).width = 110;
  for (const line of [
    "One row per fund per date on the Data sheet. Dates: date cells or YYYY-MM-DD.",
    "Contribution: capital called from investors on that date, a positive amount. Distribution: paid out, a positive amount.",
    "GP NAV: the net asset value the GP reported as of that date; leave empty when there is none. Secondary price: optional.",
    "Market sheet (optional): the market and comparable return series each fund is measured against, by name.",
    "Every problem in an upload is reported at once with its sheet, row and column; a rejected upload stores nothing.",
  ])
    readme.addRow([line]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
