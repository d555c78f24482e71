import AppSnapCore

/// What only the Create dialog shows about a request: the command line has no use for it.
extension SnapshotGroupRequest {
    /// Whether the dialog says that Cloud Assistant will be installed first.
    var willInstallCloudAssistant: Bool { appConsistent && !cloudAssistantInstalled }

    /// Windows shows *Contain Writers by Default* only once application-consistent is on.
    var showsContainWriters: Bool { isWindows && appConsistent }
}
