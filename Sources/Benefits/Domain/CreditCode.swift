/// 统一社会信用代码 (GB 32100-2015): 18 characters from 31 symbols (digits and capitals without
/// I, O, Z, S, V); the last is a check character over the first 17 (weights 3^i mod 31).
public enum CreditCode {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The code in capitals with spaces removed, if it is well formed and its check character matches.
    public static func normalized(_ raw: String) -> String? {
        let code = raw.uppercased().filter { !$0.isWhitespace }
        guard code.count == 18, let check = checkCharacter(String(code.prefix(17))), code.last == check else { return nil }
        return code
    }

    /// The check character for the first 17 characters; nil if one is not in the alphabet.
    public static func checkCharacter(_ body: String) -> Character? {
        let chars = Array(body)
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (i, c) in chars.enumerated() {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            sum += v * weights[i]
        }
        return alphabet[(31 - sum % 31) % 31]
    }
}
