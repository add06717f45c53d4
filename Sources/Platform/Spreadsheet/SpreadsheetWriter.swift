/// Writes rows to a spreadsheet file, CSV or XLSX alike.
public protocol SpreadsheetWriter: AnyObject {
    func append(row: [String]) throws
    func close() throws
}

extension CSVWriter: SpreadsheetWriter {}
extension XLSXWriter: SpreadsheetWriter {}
