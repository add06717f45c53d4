/// User-facing strings of the Members value types (ID numbers, code tables), in one place for translation.
public enum ValueText {
    // Resident ID number (GB 11643-1999)
    public static let idEmpty = "请填写身份证号"
    public static let idScientificNotation =
        "该列被 Excel 转成了科学计数法（如 1.30102E+17），身份证号的后几位已经丢失。请将身份证号列设置为文本格式，重新填写或从原始数据重新导出"
    public static let idFifteenDigits = "这是 15 位的旧身份证号，请填写 18 位的居民身份证号"
    public static func idWrongLength(_ count: Int) -> String { "身份证号应为 18 位，现在是 \(count) 位" }
    public static let idBadCharacters = "身份证号只能由数字和最后一位的 X 组成"
    public static let idMisplacedX = "身份证号只有最后一位可以是 X"
    public static func idUnknownRegion(_ code: String) -> String { "身份证号前 6 位的行政区划代码（\(code)）不存在" }
    public static let idImpossibleBirthDate = "身份证号中的出生日期（第 7 至 14 位）不存在"
    public static let idBirthDateInFuture = "身份证号中的出生日期晚于今天"
    public static let idBirthDateTooEarly = "身份证号中的出生日期早于 1900 年"
    public static let idExcelTruncated =
        "身份证号后三位为 000 且校验位不符：很可能被 Excel 改动（按数字保存只保留 15 位），请把该列设为“文本”后重新填写；如非如此，请逐位核对"
    public static let idBadCheckDigit = "身份证号校验位不正确，请逐位核对"
    public static let idBirthDateMismatch = "身份证号与出生日期不一致"
    public static let idGenderMismatch = "身份证号与性别不一致"


    // Gender (GB/T 2261.1)
    public static let male = "男"
    public static let female = "女"

    // Membership status (《中国工会章程》, 《工会会员会籍管理办法》)
    public static let statusActive = "在会"
    public static let statusTransferredOut = "已转出"
    public static let statusRetiredKept = "退休保留会籍"
    public static let statusLapsed = "已退会"
    public static let statusDeceased = "已故"
}
