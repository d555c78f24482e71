public struct Region: Codable, Hashable, Sendable {
    public var RegionId: String
    public var LocalName: String
    public var RegionEndpoint: String
    public init(RegionId: String, LocalName: String, RegionEndpoint: String) {
        self.RegionId = RegionId; self.LocalName = LocalName; self.RegionEndpoint = RegionEndpoint
    }
}
