public enum EmbeddedCloudModule {}
