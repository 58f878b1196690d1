//! A small builder for Terraform schemas: attributes and nested blocks with markdown
//! descriptions. The schema is also where the value type of a resource comes from, so
//! decoding and encoding always agree with what Terraform was told.

use super::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use super::tfplugin6 as pb;
use super::value::{Type, Value};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Optional,
    Required,
    Computed,
    OptionalComputed,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub mode: Mode,
    pub sensitive: bool,
    /// Write-only (Terraform 1.11+): the value reaches the provider from the configuration and
    /// is never in the plan or the state. The text names what to use on older Terraform.
    pub write_only: Option<&'static str>,
}

impl Attribute {
    fn new(name: &str, ty: Type, mode: Mode, description: &str) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: description.into(),
            mode,
            sensitive: false,
            write_only: None,
        }
    }
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Required, description)
    }
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Optional, description)
    }
    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Computed, description)
    }
    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::OptionalComputed, description)
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Write-only; `older_terraform` says what to use where Terraform lacks write-only support.
    pub fn write_only(mut self, older_terraform: &'static str) -> Self {
        self.write_only = Some(older_terraform);
        self
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: self.ty.to_json().to_string().into_bytes(),
            description: self.description.clone(),
            required: self.mode == Mode::Required,
            optional: matches!(self.mode, Mode::Optional | Mode::OptionalComputed),
            computed: matches!(self.mode, Mode::Computed | Mode::OptionalComputed),
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            write_only: self.write_only.is_some(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block, seen as an object (Terraform 1.0 understands SINGLE).
    Single,
    List,
    Set,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub max_items: i64,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    pub fn new(description: &str) -> Self {
        Block {
            description: description.into(),
            ..Default::default()
        }
    }
    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, name: &str, nesting: Nesting, block: Block) -> Self {
        self.blocks.push(NestedBlock {
            name: name.into(),
            nesting,
            block,
            max_items: 0,
        });
        self
    }
    /// A list block that may appear at most once (`traffic_shifting { … }`), which reads as
    /// `traffic_shifting[0]` in paths; works on every Terraform version.
    pub fn single_list_block(mut self, name: &str, block: Block) -> Self {
        self.blocks.push(NestedBlock {
            name: name.into(),
            nesting: Nesting::List,
            block,
            max_items: 1,
        });
        self
    }

    /// `value` with every write-only attribute null: what Terraform accepts back from a provider
    /// in a plan or a state.
    pub fn without_write_only(&self, value: Value) -> Value {
        let Value::Object(mut attrs) = value else {
            return value;
        };
        for a in self.attributes.iter().filter(|a| a.write_only.is_some()) {
            if let Some(v) = attrs.get_mut(&a.name) {
                *v = Value::Null;
            }
        }
        Value::Object(attrs)
    }

    /// Errors for write-only attributes set in `config` when Terraform cannot keep them out of
    /// the plan and state (before 1.11, or a client that does not say it can).
    pub fn write_only_unsupported(&self, config: &Value) -> Diagnostics {
        let set = self
            .attributes
            .iter()
            .filter_map(|a| Some((a, a.write_only?)))
            .filter(|(a, _)| !config.get(&a.name).is_null());
        Diagnostics(
            set.map(|(a, older)| {
                Diagnostic::error(
                    format!("{} needs Terraform 1.11 or later", a.name),
                    format!(
                        "`{}` is write-only: Terraform 1.11 and later pass its value to the \
                         provider without storing it in the plan or the state. This Terraform \
                         cannot, and would store it. Upgrade Terraform, or {older}.",
                        a.name
                    ),
                )
                .at(AttrPath::root(&a.name))
            })
            .collect(),
        )
    }

    /// The object type of a value conforming to this block.
    pub fn value_type(&self) -> Type {
        let mut attrs = std::collections::BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.blocks {
            let obj = b.block.value_type();
            attrs.insert(
                b.name.clone(),
                match b.nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                },
            );
        }
        Type::Object(attrs)
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.clone(),
                    block: Some(b.block.to_proto()),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    } as i32,
                    min_items: 0,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }
    }
}

/// A versioned schema for a provider, resource or data source.
#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }
}

/// One attribute of a resource's identity.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    /// An `import` block by identity must give it; otherwise the provider can fill it in.
    pub required_for_import: bool,
}

/// What identifies a resource's remote object for Terraform (1.12 and later): kept beside the
/// state, compared across reads, and what an `import` block's `identity` argument gives.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_string(), a.ty.clone()))
                .collect(),
        )
    }

    pub fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.into(),
                    r#type: a.ty.to_json().to_string().into_bytes(),
                    required_for_import: a.required_for_import,
                    optional_for_import: !a.required_for_import,
                    description: a.description.into(),
                })
                .collect(),
        }
    }
}

/// A provider function's signature.
#[derive(Clone, Debug)]
pub struct FunctionSignature {
    pub summary: String,
    pub description: String,
    pub params: Vec<(String, Type, String)>,
    pub returns: Type,
}

impl FunctionSignature {
    pub fn to_proto(&self) -> pb::Function {
        pb::Function {
            parameters: self
                .params
                .iter()
                .map(|(name, ty, desc)| pb::function::Parameter {
                    name: name.clone(),
                    r#type: ty.to_json().to_string().into_bytes(),
                    allow_null_value: false,
                    allow_unknown_values: false,
                    description: desc.clone(),
                    description_kind: pb::StringKind::Markdown as i32,
                })
                .collect(),
            variadic_parameter: None,
            r#return: Some(pb::function::Return {
                r#type: self.returns.to_json().to_string().into_bytes(),
            }),
            summary: self.summary.clone(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_encodes_modes_types_and_nesting() {
        let b = Block::new("top")
            .attr(Attribute::required("name", Type::String, "The `name`."))
            .attr(Attribute::optional_computed("hash", Type::String, "h"))
            .attr(Attribute::optional("secret", Type::map(Type::String), "s").sensitive())
            .single_list_block(
                "shift",
                Block::new("s").attr(Attribute::optional("percent", Type::Number, "p")),
            );
        let p = b.to_proto();
        let name = &p.attributes[0];
        assert!(name.required && !name.optional && !name.computed);
        assert_eq!(name.r#type, br#""string""#);
        assert_eq!(name.description_kind, pb::StringKind::Markdown as i32);
        let hash = &p.attributes[1];
        assert!(hash.optional && hash.computed);
        assert!(p.attributes[2].sensitive);
        assert_eq!(p.block_types[0].max_items, 1);
        assert_eq!(
            p.block_types[0].nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
        assert_eq!(
            b.value_type(),
            Type::object([
                ("name", Type::String),
                ("hash", Type::String),
                ("secret", Type::map(Type::String)),
                (
                    "shift",
                    Type::list(Type::object([("percent", Type::Number)]))
                ),
            ])
        );
    }
}
