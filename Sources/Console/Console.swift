public enum ConsoleModule {}
