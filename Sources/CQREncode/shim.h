// libqrencode from Debian (libqrencode-dev), installed by scripts/install-deps.
#include <qrencode.h>
