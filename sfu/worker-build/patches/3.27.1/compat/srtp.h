/*
 * Plenary compatibility header: the libsrtp 3 API that mediasoup 3.27 uses,
 * implemented on top of Debian's libsrtp2 (2.4/2.5).
 *
 * mediasoup includes <srtp.h>; this directory comes first on the include path,
 * so this file stands in for libsrtp 3's header. Differences it bridges:
 * - libsrtp 3 has an opaque, heap-allocated policy (srtp_policy_create/_destroy
 *   and setters); libsrtp2 has a plain struct (srtp_policy_t) that points at a
 *   concatenated master key + salt buffer.
 * - libsrtp 3 protects/unprotects from an input buffer into an output buffer
 *   with size_t lengths; libsrtp2 works in place with int* lengths.
 * - srtp_stream_remove() is srtp_remove_stream() in libsrtp2.
 * - srtp_err_status_buffer_small and srtp_err_status_cryptex_err do not exist
 *   in libsrtp2; they get libsrtp 3's numeric values (28, 29).
 * MKI is not supported (mediasoup never uses it).
 */
#ifndef PLENARY_COMPAT_SRTP_H
#define PLENARY_COMPAT_SRTP_H

#include <srtp2/srtp.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

inline constexpr srtp_err_status_t srtp_err_status_buffer_small{ static_cast<srtp_err_status_t>(28) };
inline constexpr srtp_err_status_t srtp_err_status_cryptex_err{ static_cast<srtp_err_status_t>(29) };

// libsrtp 3's opaque policy: libsrtp2's policy struct plus the key storage it
// points to.
struct plenary_srtp3_policy
{
	srtp_policy_t policy;
	unsigned char keyAndSalt[SRTP_MAX_KEY_LEN];
};

typedef plenary_srtp3_policy* plenary_srtp3_policy_t;

inline srtp_err_status_t plenary_srtp3_policy_create(plenary_srtp3_policy_t* policy)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	auto* created = new (std::nothrow) plenary_srtp3_policy{};

	if (created == nullptr)
		return srtp_err_status_alloc_fail;

	created->policy.key  = created->keyAndSalt;
	created->policy.next = nullptr;
	*policy              = created;

	return srtp_err_status_ok;
}

inline void plenary_srtp3_policy_destroy(plenary_srtp3_policy_t policy)
{
	if (policy == nullptr)
		return;

	// Do not leave key material behind in freed memory.
	volatile unsigned char* key = policy->keyAndSalt;

	for (size_t i = 0; i < sizeof(policy->keyAndSalt); ++i)
		key[i] = 0;

	delete policy;
}

inline srtp_err_status_t plenary_srtp3_policy_set_ssrc(plenary_srtp3_policy_t policy, srtp_ssrc_t ssrc)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	policy->policy.ssrc = ssrc;

	return srtp_err_status_ok;
}

inline srtp_err_status_t plenary_srtp3_policy_set_profile(
  plenary_srtp3_policy_t policy, srtp_profile_t profile)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&policy->policy.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->policy.rtcp, profile);
}

inline srtp_err_status_t plenary_srtp3_policy_add_key(
  plenary_srtp3_policy_t policy,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen)
{
	if (policy == nullptr || key == nullptr || (saltLen > 0 && salt == nullptr))
		return srtp_err_status_bad_param;

	// libsrtp2 takes a single master key per policy unless MKI is used.
	if (mki != nullptr || mkiLen != 0)
		return srtp_err_status_bad_param;

	if (keyLen + saltLen > sizeof(policy->keyAndSalt))
		return srtp_err_status_bad_param;

	std::memcpy(policy->keyAndSalt, key, keyLen);

	if (saltLen > 0)
		std::memcpy(policy->keyAndSalt + keyLen, salt, saltLen);

	policy->policy.key = policy->keyAndSalt;

	return srtp_err_status_ok;
}

inline srtp_err_status_t plenary_srtp3_policy_set_allow_repeat_tx(
  plenary_srtp3_policy_t policy, bool allow)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	policy->policy.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

inline srtp_err_status_t plenary_srtp3_policy_set_window_size(
  plenary_srtp3_policy_t policy, size_t windowSize)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	policy->policy.window_size = static_cast<unsigned long>(windowSize);

	return srtp_err_status_ok;
}

inline srtp_err_status_t plenary_srtp3_create(srtp_t* session, const plenary_srtp3_policy* policy)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	return srtp_create(session, &policy->policy);
}

// Copies `in` into `out` (when they differ) and checks that `out` can also
// hold `trailerLen` more bytes, as libsrtp2 appends the trailer in place.
inline srtp_err_status_t plenary_srtp3_prepare_out(
  const uint8_t* in, size_t inLen, uint8_t* out, size_t outCapacity, size_t trailerLen)
{
	if (in == nullptr || out == nullptr || inLen > static_cast<size_t>(INT_MAX))
		return srtp_err_status_bad_param;

	if (outCapacity < inLen + trailerLen)
		return srtp_err_status_buffer_small;

	if (in != out)
		std::memmove(out, in, inLen);

	return srtp_err_status_ok;
}

inline srtp_err_status_t plenary_srtp3_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (srtpLen == nullptr || mkiIndex != 0)
		return srtp_err_status_bad_param;

	srtp_err_status_t err = plenary_srtp3_prepare_out(rtp, rtpLen, srtp, *srtpLen, SRTP_MAX_TAG_LEN);

	if (err != srtp_err_status_ok)
		return err;

	int len = static_cast<int>(rtpLen);

	err = srtp_protect(ctx, srtp, &len);

	if (err == srtp_err_status_ok)
		*srtpLen = static_cast<size_t>(len);

	return err;
}

inline srtp_err_status_t plenary_srtp3_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	if (rtpLen == nullptr)
		return srtp_err_status_bad_param;

	srtp_err_status_t err = plenary_srtp3_prepare_out(srtp, srtpLen, rtp, *rtpLen, 0);

	if (err != srtp_err_status_ok)
		return err;

	int len = static_cast<int>(srtpLen);

	err = srtp_unprotect(ctx, rtp, &len);

	if (err == srtp_err_status_ok)
		*rtpLen = static_cast<size_t>(len);

	return err;
}

inline srtp_err_status_t plenary_srtp3_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (srtcpLen == nullptr || mkiIndex != 0)
		return srtp_err_status_bad_param;

	// SRTCP appends the E flag + index word before the authentication tag.
	srtp_err_status_t err = plenary_srtp3_prepare_out(
	  rtcp, rtcpLen, srtcp, *srtcpLen, SRTP_MAX_TAG_LEN + sizeof(uint32_t));

	if (err != srtp_err_status_ok)
		return err;

	int len = static_cast<int>(rtcpLen);

	err = srtp_protect_rtcp(ctx, srtcp, &len);

	if (err == srtp_err_status_ok)
		*srtcpLen = static_cast<size_t>(len);

	return err;
}

inline srtp_err_status_t plenary_srtp3_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	if (rtcpLen == nullptr)
		return srtp_err_status_bad_param;

	srtp_err_status_t err = plenary_srtp3_prepare_out(srtcp, srtcpLen, rtcp, *rtcpLen, 0);

	if (err != srtp_err_status_ok)
		return err;

	int len = static_cast<int>(srtcpLen);

	err = srtp_unprotect_rtcp(ctx, rtcp, &len);

	if (err == srtp_err_status_ok)
		*rtcpLen = static_cast<size_t>(len);

	return err;
}

// From here on mediasoup's code sees libsrtp 3 names. Defined after the
// wrappers above so that those still call libsrtp2's functions.
#define srtp_policy_t plenary_srtp3_policy_t
#define srtp_policy_create plenary_srtp3_policy_create
#define srtp_policy_destroy plenary_srtp3_policy_destroy
#define srtp_policy_set_ssrc plenary_srtp3_policy_set_ssrc
#define srtp_policy_set_profile plenary_srtp3_policy_set_profile
#define srtp_policy_add_key plenary_srtp3_policy_add_key
#define srtp_policy_set_allow_repeat_tx plenary_srtp3_policy_set_allow_repeat_tx
#define srtp_policy_set_window_size plenary_srtp3_policy_set_window_size
#define srtp_create plenary_srtp3_create
#define srtp_protect plenary_srtp3_protect
#define srtp_unprotect plenary_srtp3_unprotect
#define srtp_protect_rtcp plenary_srtp3_protect_rtcp
#define srtp_unprotect_rtcp plenary_srtp3_unprotect_rtcp
#define srtp_stream_remove srtp_remove_stream

#endif
