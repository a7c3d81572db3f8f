// SM2 verification with OpenSSL 3. The signing half and key generation are added with
// key management; until then an SM2 key never verifies.
#include "credential/signer.hpp"

namespace epermit::credential {

Status VerifySm2Signature(const PublicKey&, ByteView, ByteView) {
  return MakeError(ErrorKind::kFailedPrecondition, "signature.alg", "SM2 verification is not available yet.",
                   "暂不支持 SM2 验签。", "alg");
}

}  // namespace epermit::credential
