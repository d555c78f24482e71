import AppSnapCore
import Foundation
import GRDB
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

// Regions.
extension EmbeddedCloud {
    public func describeRegions() async throws -> [Region] {
        try await store.writer.read { db in
            try self.authorize(db, region: nil, action: "DescribeRegions")
            return try RegionRecord.order(Column("regionId")).fetchAll(db)
                .map { Region(RegionId: $0.regionId, LocalName: $0.localName, RegionEndpoint: $0.endpoint) }
        }
    }
}
