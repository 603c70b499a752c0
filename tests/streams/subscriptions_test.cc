// The pieces of Durable Streams subscriptions that need no host: glob
// patterns, which webhook URLs are accepted, base64url, wake tokens and the
// webhook signature (checked with OpenSSL against the published key). The
// service itself runs in tests/node/subscriptions.test.mjs and the
// conformance suite.
#include "host/streams/subscriptions.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "host/streams/wake_crypto.h"

namespace scribe::streams {
namespace {

std::string FromHex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

TEST(GlobMatchTest, StarIsOneSegmentAndDoubleStarAnyNumber) {
  EXPECT_TRUE(GlobMatch("events/*", "events/a"));
  EXPECT_FALSE(GlobMatch("events/*", "events"));
  EXPECT_FALSE(GlobMatch("events/*", "events/a/b"));
  EXPECT_FALSE(GlobMatch("events/*", "other/a"));
  EXPECT_TRUE(GlobMatch("events/**", "events"));
  EXPECT_TRUE(GlobMatch("events/**", "events/a/b/c"));
  EXPECT_TRUE(GlobMatch("**/log", "a/b/log"));
  EXPECT_TRUE(GlobMatch("a/*/c", "a/b/c"));
  EXPECT_FALSE(GlobMatch("a/*/c", "a/b/d"));
  EXPECT_TRUE(GlobMatch("/events/*/", "events/a"));  // slashes around are ignored
  EXPECT_TRUE(GlobMatch("lit/%2A", "lit/*"));        // an escaped star is a literal one
  EXPECT_FALSE(GlobMatch("lit/%2A", "lit/x"));
}

TEST(WebhookUrlTest, HttpsToPublicHostsAndHttpOnlyToThisMachine) {
  for (const char* ok :
       {"https://hooks.example.com/x", "https://93.184.216.34/hook", "http://localhost:9000/hook",
        "http://127.0.0.1:1/h", "http://127.3.4.5/"}) {
    EXPECT_TRUE(CheckWebhookUrl(ok).ok()) << ok;
  }
  for (const char* refused :
       {"http://10.0.0.1/hook", "http://example.com/hook", "https://10.1.2.3/",
        "https://127.0.0.1/", "https://localhost/", "https://192.168.0.1/", "https://172.16.5.5/",
        "https://169.254.1.1/", "https://100.64.0.1/", "https://0.0.0.0/", "https://[::1]/",
        "https://[fd00::1]/", "https://[fe80::1]/", "https://[::ffff:10.0.0.1]/",
        "ftp://127.0.0.1/", "not a url", "https:///path"}) {
    Result<bool> checked = CheckWebhookUrl(refused);
    ASSERT_FALSE(checked.ok()) << refused;
    EXPECT_EQ(checked.status().reason(), "WEBHOOK_URL_REJECTED") << refused;
  }
}

TEST(Base64UrlTest, RoundTripsWithoutPadding) {
  EXPECT_EQ(Base64Url(""), "");
  EXPECT_EQ(Base64Url("f"), "Zg");
  EXPECT_EQ(Base64Url("fo"), "Zm8");
  EXPECT_EQ(Base64Url("foo"), "Zm9v");
  EXPECT_EQ(Base64Url("foob"), "Zm9vYg");
  EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
  for (const std::string bytes : {"", "f", "fo", "foo", "\xfb\xff\x00x"}) {
    EXPECT_EQ(*FromBase64Url(Base64Url(bytes)), bytes);
  }
  EXPECT_EQ(*FromBase64Url("Zm8="), "fo");
  EXPECT_FALSE(FromBase64Url("Zm+v").ok());
  EXPECT_FALSE(FromBase64Url("Z").ok());
}

TEST(WakeTokensTest, AcceptOnlyTheirOwnUnexpiredUntouchedTokens) {
  WakeTokens tokens("key-one");
  const std::string token = tokens.Issue("subscription:a", 7, 1000, 3600);
  EXPECT_EQ(*tokens.Verify(token, "subscription:a", 1000), 7);
  EXPECT_EQ(*tokens.Verify(token, "subscription:a", 4600), 7);
  EXPECT_EQ(tokens.Verify(token, "subscription:a", 4601).status().reason(), "TOKEN_EXPIRED");
  EXPECT_EQ(tokens.Verify(token, "subscription:b", 1000).status().reason(), "TOKEN_INVALID");
  EXPECT_EQ(WakeTokens("key-two").Verify(token, "subscription:a", 1000).status().reason(),
            "TOKEN_INVALID");
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(tokens.Verify(tampered, "subscription:a", 1000).status().code(),
            Code::kUnauthenticated);
  EXPECT_FALSE(tokens.Verify("no-dot", "subscription:a", 1000).ok());
  EXPECT_NE(tokens.Issue("subscription:a", 7, 1000, 3600), token);  // each one its own
}

TEST(WebhookSignerTest, SignsWithTheKeyItPublishes) {
  // RFC 8032 §7.1, test 1: the seed and its public key.
  auto signer = WebhookSigner::FromSeed(
      FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  const nlohmann::json key = (*signer)->Jwks()["keys"][0];
  const std::string public_key =
      FromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(key["x"], Base64Url(public_key));
  EXPECT_EQ(key["kty"], "OKP");
  EXPECT_EQ(key["crv"], "Ed25519");
  EXPECT_EQ(key["alg"], "EdDSA");
  EXPECT_EQ(key["kid"], (*signer)->kid());
  EXPECT_EQ((*signer)->kid().rfind("ds_", 0), 0u);

  const std::string body = R"({"subscription_id":"s"})";
  const std::string header = (*signer)->Sign(body, 1700000000);
  const std::string prefix = "t=1700000000,kid=" + (*signer)->kid() + ",ed25519=";
  ASSERT_EQ(header.rfind(prefix, 0), 0u) << header;
  std::string signature = *FromBase64Url(header.substr(prefix.size()));
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()), 32);
  ASSERT_NE(pkey, nullptr);
  auto verifies = [&](const std::string& message) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
              EVP_DigestVerify(
                  ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                  reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  };
  EXPECT_TRUE(verifies("1700000000." + body));
  EXPECT_FALSE(verifies("1700000001." + body));
  EVP_PKEY_free(pkey);
  EXPECT_FALSE(WebhookSigner::FromSeed("short").ok());
}

}  // namespace
}  // namespace scribe::streams
