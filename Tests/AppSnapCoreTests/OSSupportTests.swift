import Testing
@testable import AppSnapCore

@Suite struct OSSupportTests {
    @Test(arguments: [
        ("CentOS 7.9 64 bit", true), ("CentOS  7.6 64位", true), ("CentOS 7.5 64 bit", false), ("CentOS 8.2 64 bit", true),
        ("CentOS Stream 9 64 bit", true), ("CentOS 6.10 64 bit", false),
        ("Ubuntu 22.04 64 bit", true), ("Ubuntu 18.04 64 bit", true), ("Ubuntu 16.04 64 bit", false), ("Ubuntu 20.04 64 bit", true),
        ("Alibaba Cloud Linux 3.2104 LTS 64 bit", true), ("Alibaba Cloud Linux  2.1903 LTS 64 bit", true), ("Aliyun Linux 2.1903 64 bit", true),
        ("Alibaba Cloud Linux 4 64 bit", false), ("Debian 12.5 64 bit", false), ("Windows Server 2019 Datacenter 64 bit", false), ("", false),
    ])
    func linux(_ os: String, _ supported: Bool) {
        #expect((OSSupport.linux(osName: os) == .supported) == supported)
    }

    @Test(arguments: [
        ("Windows Server 2019 Datacenter 64 bit", true), ("Windows Server 2012 R2 Datacenter 64bit", true),
        ("Windows Server  2022 数据中心版 64位中文版", true), ("Windows Server 2016 Datacenter 64bit", true),
        ("Windows Server 2012 Datacenter 64bit", false), ("Windows Server 2008 R2 Enterprise 64bit", false),
        ("CentOS 7.9 64 bit", false), ("Windows 10 Pro", false),
    ])
    func windows(_ os: String, _ supported: Bool) {
        #expect((OSSupport.windows(osName: os) == .supported) == supported)
    }
}
