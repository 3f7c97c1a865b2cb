/*
 * Plenary compatibility header: ankerl::unordered_dense (not packaged by
 * Debian) mapped onto std::unordered_map / std::unordered_set.
 *
 * Only what mediasoup 3.27 uses is provided: map, set and hash. The hash keeps
 * unordered_dense's quality for integers, enums and pointers (a 64-bit
 * multiply-mix, as mediasoup combines several of them into one key hash) and
 * falls back to std::hash for everything else. String hashes are transparent,
 * so lookups by std::string_view work as with the original.
 * Iteration order differs from unordered_dense (which iterates in insertion
 * order until an erase); mediasoup does not rely on it.
 */
#ifndef PLENARY_COMPAT_ANKERL_UNORDERED_DENSE_H
#define PLENARY_COMPAT_ANKERL_UNORDERED_DENSE_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		// wyhash's mum-based mix, as unordered_dense uses for integral keys.
		inline uint64_t mix(uint64_t x) noexcept
		{
			const __uint128_t r = static_cast<__uint128_t>(x) * UINT64_C(0x9E3779B97F4A7C15);

			return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
		}
	} // namespace detail

	template<class T, class Enable = void>
	struct hash : std::hash<T>
	{
	};

	template<class T>
	struct hash<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T>>>
	{
		using is_avalanching = void;

		uint64_t operator()(const T& value) const noexcept
		{
			return detail::mix(static_cast<uint64_t>(value));
		}
	};

	template<class T>
	struct hash<T*>
	{
		using is_avalanching = void;

		uint64_t operator()(T* const& value) const noexcept
		{
			return detail::mix(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(value)));
		}
	};

	template<class T>
	struct hash<std::unique_ptr<T>>
	{
		using is_avalanching = void;

		uint64_t operator()(const std::unique_ptr<T>& value) const noexcept
		{
			return detail::mix(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(value.get())));
		}
	};

	template<class CharT>
	struct hash<std::basic_string<CharT>>
	{
		using is_avalanching = void;
		using is_transparent = void;

		uint64_t operator()(std::basic_string_view<CharT> value) const noexcept
		{
			return std::hash<std::basic_string_view<CharT>>{}(value);
		}
	};

	template<class CharT>
	struct hash<std::basic_string_view<CharT>> : hash<std::basic_string<CharT>>
	{
	};

	namespace detail
	{
		template<class Key>
		using key_equal = std::conditional_t<
		  std::is_same_v<Key, std::string> || std::is_same_v<Key, std::string_view>,
		  std::equal_to<>,
		  std::equal_to<Key>>;
	} // namespace detail

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = detail::key_equal<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<
	  class Key,
	  class Hash      = hash<Key>,
	  class KeyEqual  = detail::key_equal<Key>,
	  class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
