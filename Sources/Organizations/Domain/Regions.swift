import Foundation

/// China's administrative divisions (GB/T 2260 codes; 12-digit statistical codes for townships),
/// from the bundled `regions.tsv` (see scripts/regions/README.md for how it was made).
public struct Region: Sendable {
    public enum Level: String, Sendable {
        case province, city, county, township
    }

    public var code: String
    public var name: String
    public var level: Level
    public var parent: String?
    public var longitude: Double?
    public var latitude: Double?
}

public struct RegionCatalogue: Sendable {
    public let regions: [String: Region]
    public let children: [String: [String]]

    public static let shared: RegionCatalogue = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Data/regions.tsv")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return RegionCatalogue(tsv: text)
    }()

    init(tsv: String) {
        var regions: [String: Region] = [:]
        var children: [String: [String]] = [:]
        for line in tsv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, let level = Region.Level(rawValue: f[2]) else { continue }
            let region = Region(
                code: f[0], name: f[1], level: level, parent: f[3].isEmpty ? nil : f[3],
                longitude: f.count > 4 ? Double(f[4]) : nil, latitude: f.count > 5 ? Double(f[5]) : nil)
            regions[region.code] = region
            if let parent = region.parent { children[parent, default: []].append(region.code) }
        }
        self.regions = regions
        self.children = children
    }

    public func region(_ code: String) -> Region? { regions[code] }

    public func children(of code: String) -> [Region] {
        (children[code] ?? []).sorted().compactMap { regions[$0] }
    }

    public static func isWellFormed(_ code: String) -> Bool {
        (code.count == 6 || code.count == 12) && code.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
