//! Durable stores that keep the [`crate::log::Store`] contract.
