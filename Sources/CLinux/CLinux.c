// The C side of CLinux: nothing yet beyond the header's declarations.
#include "CLinux.h"
