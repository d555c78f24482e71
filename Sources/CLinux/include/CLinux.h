// Linux interfaces that Swift's Glibc module does not carry.
#pragma once
#include <sys/xattr.h>
