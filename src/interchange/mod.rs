//! Data in and out of the log in other people's formats: ACLED conflict-event exports
//! (feature `acled`) and CloudEvents 1.0 (feature `cloudevents`). Each is a thin layer over
//! the public API: it builds ordinary events and appends them through [`crate::Store`].

#[cfg(feature = "acled")]
pub mod acled;
#[cfg(feature = "cloudevents")]
pub mod cloudevents;
