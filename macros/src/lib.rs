//! `#[spindle::main]` and `#[spindle::test]`: run an `async fn` on a new
//! spindle runtime.
//!
//! Both attributes rewrite an `async fn` into a plain `fn` whose body
//! builds a runtime and calls `block_on` on the original body:
//!
//! ```text
//! #[spindle::main(event_interval = 31)]      fn main() -> R {
//! async fn main() -> R { body }       ──►        let body = async move { body };
//!                                                ::spindle::Runtime::builder()
//!                                                    .event_interval(31)
//!                                                    .build()
//!                                                    .expect("…")
//!                                                    .block_on(body)
//!                                            }
//! ```
//!
//! `#[spindle::test]` does the same and adds `#[test]`. The options, each
//! optional and at most once, become calls on `spindle::Builder`:
//!
//! | option | builder call |
//! | --- | --- |
//! | `event_interval = N` | `.event_interval(N)` |
//! | `budget = N` | `.budget(N)` |
//! | `explain = true` or `false` | `.explain(…)` |
//! | `tokio` (or `tokio = true`) | `.tokio(true)`: tokio hosted on the runtime's thread (spindle's feature `tokio`) |
//!
//! `#[spindle::main]` also takes a function that is not the program's
//! `main`: a method (`self`, `&self`, `&mut self`) in an `impl` block, or
//! a function with arguments, called like any other; and any of them may
//! return `!` (a server that never returns) or `impl Trait`.
//!
//! ```
//! struct Server { port: u16 }
//!
//! impl Server {
//!     #[spindle::main]
//!     async fn run(&self) -> u16 {
//!         spindle::yield_now().await;
//!         self.port
//!     }
//! }
//!
//! assert_eq!(Server { port: 8080 }.run(), 8080);
//! ```
//!
//! Misuse is a compile error pointing at the mistake: an unknown option, a
//! repeated one, a value of the wrong kind, a function that is not `async`,
//! a `main` or a test that takes arguments, or a generic function.
//!
//! ```compile_fail
//! #[spindle::main]
//! fn main() {} // error: the function must be `async`
//! ```
//!
//! ```compile_fail
//! #[spindle::main(workers = 4)] // error: unknown option `workers`
//! async fn main() {}
//! ```
//!
//! ```compile_fail
//! #[spindle::main(event_interval = "many")] // error: expected an integer
//! async fn main() {}
//! ```
//!
//! ```compile_fail
//! #[spindle::test]
//! async fn takes_an_argument(n: u32) {} // error: a test takes no arguments
//! ```
//!
//! ```compile_fail
//! #[spindle::main]
//! async fn main(n: u32) {} // error: `main` takes no arguments
//! ```
//!
//! # Dependencies, and why each is here
//!
//! - `syn`: parses the function and the options, and reports errors with
//!   the span of the token at fault; writing a Rust parser by hand for
//!   `async fn` signatures would be most of this crate and worse.
//! - `quote`: writes the generated code as Rust with holes, instead of
//!   building token trees by hand.
//! - `proc-macro2`: the token types `syn` and `quote` share, usable outside
//!   the compiler's own `proc_macro` (for example in unit tests).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemFn, Lit, Meta, Token};

/// Runs an `async fn main` on a new spindle runtime.
///
/// Options (all optional): `tokio` (spindle's feature `tokio`), `event_interval = N`, `budget = N`,
/// `explain = bool`; each becomes the `spindle::Builder` call of that name.
///
/// # Examples
///
/// ```
/// #[spindle::main]
/// async fn main() {
///     let answer = spindle::spawn(async { 42 }).await.unwrap();
///     assert_eq!(answer, 42);
/// }
/// ```
///
/// With options, and a `Result`:
///
/// ```
/// #[spindle::main(event_interval = 31, explain = false)]
/// async fn main() -> std::io::Result<()> {
///     spindle::time::sleep(std::time::Duration::from_millis(1)).await;
///     Ok(())
/// }
/// ```
///
/// On a method, or any function other than `main`, it makes a plain
/// method or function of the same signature that runs the body on a new
/// runtime each time it is called; `-> !` works too:
///
/// ```no_run
/// #[spindle::main]
/// async fn main() -> ! {
///     loop {
///         spindle::time::sleep(std::time::Duration::from_secs(60)).await;
///     }
/// }
/// ```
///
/// # Panics
///
/// The generated `main` panics if the runtime cannot be built (the OS
/// refused an epoll/kqueue instance).
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into(), Kind::Main)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Runs an `async fn` test on a new spindle runtime; the test function
/// gets `#[test]`.
///
/// Takes the same options as [`main`](macro@main).
///
/// # Examples
///
/// ```
/// #[spindle::test]
/// async fn sleeps() {
///     spindle::time::sleep(std::time::Duration::from_millis(1)).await;
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into(), Kind::Test)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `#[spindle::main]`.
    Main,
    /// `#[spindle::test]`.
    Test,
}

impl Kind {
    /// The attribute's name, for error messages.
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "#[spindle::main]",
            Kind::Test => "#[spindle::test]",
        }
    }
}

/// The parsed options: each a builder call, in the order written.
struct Options {
    /// `.event_interval(N)`, `.budget(N)`, `.explain(b)` calls.
    calls: Vec<TokenStream2>,
}

/// Parses `event_interval = N, budget = N, explain = bool, tokio`.
fn parse_options(args: TokenStream2) -> syn::Result<Options> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut seen: Vec<String> = Vec::new();
    let mut calls = Vec::new();
    for meta in metas {
        let pair = match meta {
            // The one bare word: `tokio`, short for `tokio = true`.
            Meta::Path(path) if path.is_ident("tokio") => {
                if seen.iter().any(|s| s == "tokio") {
                    return Err(syn::Error::new(
                        path.span(),
                        "option `tokio` is given twice",
                    ));
                }
                seen.push("tokio".to_owned());
                calls.push(quote_spanned!(path.span()=> .tokio(true)));
                continue;
            }
            Meta::NameValue(pair) => pair,
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected `name = value` or `tokio`",
                ))
            }
        };
        let name = pair
            .path
            .get_ident()
            .map(ToString::to_string)
            .ok_or_else(|| syn::Error::new(pair.path.span(), "expected an option name"))?;
        if seen.contains(&name) {
            return Err(syn::Error::new(
                pair.path.span(),
                format!("option `{name}` is given twice"),
            ));
        }
        let call = match name.as_str() {
            "event_interval" => {
                let n = int_literal(&pair.value, &name)?;
                quote_spanned!(pair.value.span()=> .event_interval(#n))
            }
            "budget" => {
                let n = int_literal(&pair.value, &name)?;
                quote_spanned!(pair.value.span()=> .budget(#n))
            }
            "explain" => {
                let on = bool_literal(&pair.value, &name)?;
                quote_spanned!(pair.value.span()=> .explain(#on))
            }
            "tokio" => {
                let on = bool_literal(&pair.value, &name)?;
                quote_spanned!(pair.value.span()=> .tokio(#on))
            }
            other => {
                return Err(syn::Error::new(
                    pair.path.span(),
                    format!(
                        "unknown option `{other}`; the options are \
                         `event_interval = N`, `budget = N`, `explain = bool` and `tokio`"
                    ),
                ))
            }
        };
        seen.push(name);
        calls.push(call);
    }
    Ok(Options { calls })
}

/// The value of an integer option, checked to be an integer literal.
fn int_literal(value: &Expr, name: &str) -> syn::Result<syn::LitInt> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(n), ..
        }) => Ok(n.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!("`{name}` expects an integer, as in `{name} = 61`"),
        )),
    }
}

/// The value of a `bool` option, checked to be `true` or `false`.
fn bool_literal(value: &Expr, name: &str) -> syn::Result<syn::LitBool> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!("`{name}` expects `true` or `false`"),
        )),
    }
}

/// Checks the function and writes the new one.
fn expand(args: TokenStream2, item: TokenStream2, kind: Kind) -> syn::Result<TokenStream2> {
    let options = parse_options(args)?;
    let function: ItemFn = syn::parse2(item)?;
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            format!("{}: the function must be `async`", kind.name()),
        ));
    }
    // A test is called by the test harness, and `main` by the program's
    // start, both with no arguments. Any other function under
    // `#[spindle::main]` is called by the program itself, so it may take
    // arguments, `self` among them: the body's future captures them
    // (`async move`), and `block_on` runs it to the end before the call
    // returns, so even borrowed ones outlive it. (tokio's rule too.)
    let no_arguments = match kind {
        Kind::Main if sig.ident == "main" => Some("`main` takes no arguments"),
        Kind::Main => None,
        Kind::Test => Some("a test takes no arguments"),
    };
    if let (Some(what), Some(arg)) = (no_arguments, sig.inputs.first()) {
        return Err(syn::Error::new(
            arg.span(),
            format!("{}: {what}", kind.name()),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!("{}: the function cannot be generic", kind.name()),
        ));
    }
    if kind == Kind::Test {
        if let Some(attr) = function.attrs.iter().find(|a| a.path().is_ident("test")) {
            return Err(syn::Error::new(
                attr.span(),
                "#[spindle::test] adds `#[test]` itself; remove this one",
            ));
        }
    }

    let attrs = &function.attrs;
    let vis = &function.vis;
    let body = &function.block;
    let mut outer = sig.clone();
    outer.asyncness = None;
    // The declared output type, stated once on the pinned body, so `?` and
    // `return` in the body infer against it. Not for `-> !`, which cannot be
    // named as `Output = !` on stable Rust, nor for `-> impl Trait`, which
    // cannot be named inside `dyn Future<Output = ..>`: there the body's
    // output is left to inference, and returning `block_on`'s result from
    // the function fixes it to the declared type.
    let pinned = match &sig.output {
        syn::ReturnType::Type(_, ty)
            if matches!(**ty, syn::Type::Never(_)) || mentions_impl(quote!(#ty)) =>
        {
            quote!(let body = ::core::pin::pin!(body);)
        }
        syn::ReturnType::Default => quote! {
            let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = ()>> =
                ::core::pin::pin!(body);
        },
        syn::ReturnType::Type(_, ty) => quote! {
            let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #ty>> =
                ::core::pin::pin!(body);
        },
    };
    let calls = &options.calls;
    let test_attr = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => quote!(),
    };
    let span = Span::call_site();
    let expect = format!("{}: could not build the spindle runtime", kind.name());
    Ok(quote_spanned! {span=>
        #test_attr
        #(#attrs)*
        #vis #outer {
            let body = async move #body;
            #pinned
            ::spindle::Runtime::builder()
                #(#calls)*
                .build()
                .expect(#expect)
                .block_on(body)
        }
    })
}

/// Whether a type's tokens contain `impl` (an `impl Trait`, at any depth:
/// `impl Display`, `Vec<impl Display>`). `impl` is a keyword, so in a type
/// it can mean nothing else.
fn mentions_impl(tokens: TokenStream2) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}
