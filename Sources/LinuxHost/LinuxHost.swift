public enum LinuxHostModule {}
