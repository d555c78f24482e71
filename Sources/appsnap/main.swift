import AppSnapCore
print("appsnap")
