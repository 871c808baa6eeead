const _: () = {
    #[allow(unused_imports)]
    use ::poolable::__private01::{CloneProbe as _, EqProbe as _, NoCloneProbe as _, NoEqProbe as _, NoPartialEqProbe as _, PartialEqProbe as _};
    const __CHECK: ::core::primitive::usize = {
        ::poolable::__private01::assert_reset::<String>();
        ::poolable::__private01::assert_send::<String>();
        ::poolable::__private01::assert_send::<&'static str>();
        ::poolable::__private01::assert_default::<Request>();
        0
    };
    #[automatically_derived]
    impl ::poolable::__private01::Reset for Request {
        #[inline(always)]
        fn __small_reset() -> ::core::primitive::bool {
            true && <<[(); __CHECK] as ::poolable::__private01::Gate<String>>::Out as ::poolable::__private01::Reset>::__small_reset()
        }
        #[inline]
        fn reset(&mut self) {
            <<[(); __CHECK] as ::poolable::__private01::Gate<String>>::Out as ::poolable::__private01::Reset>::reset(&mut self.path);
        }
        #[inline]
        fn retained_bytes(&self) -> ::core::primitive::usize {
            0 + <<[(); __CHECK] as ::poolable::__private01::Gate<String>>::Out as ::poolable::__private01::Reset>::retained_bytes(&self.path)
        }
        #[inline]
        fn is_reset(&self) -> ::core::primitive::bool {
            true && <<[(); __CHECK] as ::poolable::__private01::Gate<String>>::Out as ::poolable::__private01::Reset>::is_reset(&self.path)
        }
        #[inline]
        fn reset_to(&mut self, __fresh: &Self) -> ::core::primitive::bool {
            let mut __ok = true;
            __ok &= <<[(); __CHECK] as ::poolable::__private01::Gate<String>>::Out as ::poolable::__private01::Reset>::reset_to(&mut self.path, &__fresh.path)
                || (&::poolable::__private01::Probe(&__fresh.path)).__clone_into(&mut self.path);
            __ok
        }
        #[inline]
        #[allow(unused_mut)]
        fn reset_from(&mut self, mut __fresh: Self) {
            if !(<<[(); __CHECK] as ::poolable::__private01::Gate<String>>::Out as ::poolable::__private01::Reset>::reset_to(&mut self.path, &__fresh.path)
                || (&::poolable::__private01::Probe(&__fresh.path)).__clone_into(&mut self.path))
            {
                ::core::mem::swap(&mut self.path, &mut __fresh.path);
            }
        }
        fn __unlike(&self, __fresh: &Self) -> ::core::option::Option<&'static ::core::primitive::str> {
            if !(&::poolable::__private01::Probe(&self.path)).__equals(&__fresh.path) {
                return ::core::option::Option::Some("path");
            }
            ::core::option::Option::None
        }
        #[inline]
        fn __thread_slot() -> ::core::option::Option<::poolable::__private01::TypedSlot<Self>>
        where
            for<'__a> Self: ::core::marker::Send,
        {
            ::core::option::Option::Some(::poolable::__private01::thread_slot(&__LOCAL, &__POOL))
        }
    }
    #[allow(non_camel_case_types)]
    trait __PoolableTypeMustNotImplementDrop_MoveTheCleanupIntoPoolResetOnAField {}
    #[allow(drop_bounds, clippy::drop_bounds)]
    impl<__T: ::core::ops::Drop> __PoolableTypeMustNotImplementDrop_MoveTheCleanupIntoPoolResetOnAField for __T {}
    impl __PoolableTypeMustNotImplementDrop_MoveTheCleanupIntoPoolResetOnAField for Request {}
    type __Gated = <[(); __CHECK] as ::poolable::__private01::Gate<Request>>::Out;
    static __POOL: ::poolable::__private01::Pool<__Gated> =
        ::poolable::__private01::Pool::<__Gated>::with_config(<__Gated as ::core::default::Default>::default, ::poolable::__private01::PoolConfig::new("Request").max_idle(64));
    ::poolable::__private01::thread_local! { static __LOCAL : :: poolable :: __private01 :: ThreadSlot < __Gated > = const { :: poolable :: __private01 :: ThreadSlot :: new () } ; }
    #[automatically_derived]
    impl ::poolable::__private01::Poolable for Request
    where
        for<'__a> Request: ::core::marker::Send,
    {
        #[inline]
        fn pool() -> &'static ::poolable::__private01::Pool<Self> {
            &__POOL
        }
    }
};
