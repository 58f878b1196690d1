//! Calling a provider function: arguments decoded with the function's signature, the result
//! encoded (with its type when the function returns `dynamic`), failures blamed on an argument.

use tonic::{Response, Status};

use super::{decode, ProviderService};
use crate::protocol::registry::Provider;
use crate::protocol::tfplugin6 as pb;
use crate::protocol::value::Type;

impl<P: Provider> ProviderService<P> {
    pub(super) async fn call(
        &self,
        req: pb::call_function::Request,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let fail = |text: String, argument: Option<i64>| {
            Ok(Response::new(pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text,
                    function_argument: argument,
                }),
            }))
        };
        let Some(function) = self.functions.get(req.name.as_str()) else {
            return fail(format!("unknown function {:?}", req.name), None);
        };
        let sig = function.signature();
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, (dv, (name, ty, _))) in req.arguments.iter().zip(&sig.params).enumerate() {
            match decode(Some(dv), ty, "function argument") {
                Ok(v) => args.push(v),
                Err(_) => {
                    return fail(
                        format!("argument {name} could not be decoded"),
                        Some(i as i64),
                    )
                }
            }
        }
        match function.call(args).await {
            Ok(v) => {
                let msgpack = if sig.returns == Type::Dynamic {
                    v.to_msgpack_dynamic()
                } else {
                    v.to_msgpack()
                };
                Ok(Response::new(pb::call_function::Response {
                    result: Some(pb::DynamicValue {
                        msgpack,
                        json: vec![],
                    }),
                    error: None,
                }))
            }
            Err(e) => fail(e.text, e.argument),
        }
    }
}
