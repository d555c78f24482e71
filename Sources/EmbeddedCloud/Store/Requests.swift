import AppSnapCore
import GRDB

// Reusable requests, as GRDB's demo app writes them on `DerivableRequest`: each filter is
// named once and composes with any other.

extension DerivableRequest<SnapshotGroupRecord> {
    func progressing() -> Self { filter(SnapshotGroupRecord.Columns.status == SnapshotStatus.progressing) }
    func inRegion(_ regionId: String) -> Self { filter(SnapshotGroupRecord.Columns.regionId == regionId) }
    func ofInstance(_ instanceId: String) -> Self { filter(SnapshotGroupRecord.Columns.instanceId == instanceId) }
}

extension DerivableRequest<SnapshotRecord> {
    func inGroup(_ groupId: String) -> Self { filter(SnapshotRecord.Columns.snapshotGroupId == groupId) }
    func progressing() -> Self { filter(SnapshotRecord.Columns.status == SnapshotStatus.progressing) }
}
