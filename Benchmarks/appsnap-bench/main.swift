print("appsnap-bench: nothing measured yet")
