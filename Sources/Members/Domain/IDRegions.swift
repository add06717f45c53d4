import Foundation

/// The bundled list of region codes an ID number may start with: every 6-digit GB/T 2260 code
/// (county level and above) valid at some time since 1980, because a number keeps the code of
/// the place it was first issued. Built by scripts/regions/build_id_regions.py (see README there).
public struct IDRegions: RegionCodeSet {
    public let codes: Set<String>

    public enum LoadError: Error, Sendable {
        case missingResource
        case empty(URL)
    }

    public init(codes: Set<String>) {
        self.codes = codes
    }

    /// The file format: one code per line; `#` lines and blank lines are ignored.
    public init(text: String) {
        var codes = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let code = line.trimmingCharacters(in: .whitespaces)
            if code.isEmpty || code.hasPrefix("#") { continue }
            codes.insert(code)
        }
        self.codes = codes
    }

    public init(contentsOf url: URL) throws {
        self.init(text: try String(contentsOf: url, encoding: .utf8))
        if codes.isEmpty { throw LoadError.empty(url) }
    }

    /// Loads the bundled `Data/id-regions.txt`.
    public init() throws {
        guard let url = Self.bundledURL else { throw LoadError.missingResource }
        try self.init(contentsOf: url)
    }

    public static var bundledURL: URL? {
        Bundle.module.url(forResource: "id-regions", withExtension: "txt", subdirectory: "Data")
    }

    /// The bundled list, loaded once. A missing resource is a packaging error and stops the process.
    public static let bundled: IDRegions = {
        do { return try IDRegions() } catch { fatalError("Members: cannot load Data/id-regions.txt: \(error)") }
    }()

    public var count: Int { codes.count }

    public func contains(_ code: String) -> Bool { codes.contains(code) }
}
