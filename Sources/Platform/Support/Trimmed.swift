/// Trimming without Foundation's NSString bridge, which is slow on the import path (see bench/README.md).
extension String {
    /// Without leading and trailing white space: the Unicode White_Space property, so line breaks
    /// and the full-width space (U+3000) go too.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
