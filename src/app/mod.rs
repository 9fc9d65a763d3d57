//! The explorer's state and the one place that changes it: events come in
//! (keys, mouse, resize, data loaded), `App::update` applies them and
//! returns effects (quit, copy, export) for the runner to carry out.
//! Drawing only reads this state.

pub mod blast;
pub mod checks;
pub mod collection;
mod complete;
pub mod data;
pub mod export;
pub mod finder;
pub mod history;
pub mod keymap;
pub mod layout;
pub mod permissions;
pub mod view;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use crate::graph::NodeId;
use crate::model::NodeKind;
use crate::theme::Theme;
use collection::CollectProgress;
use data::Data;
use finder::Hits;
use keymap::{Action, Keymap};
use layout::{Areas, areas};
use view::{Identity, ListKind, ListView, Question, ResourceView, Scope, Tab};

/// Something that happened.
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The data finished loading (or failed): the final data, which no
    /// partial build replaces.
    Loaded(Result<Box<Data>, String>),
    /// The analysis of the data of one generation finished.
    Analysed {
        generation: data::Generation,
        analysis: Box<crate::analysis::Analysis>,
    },
    /// Exposure and posture of one generation are analysed; the identity
    /// analyses follow in an `Analysed`.
    NetworkAnalysed {
        generation: data::Generation,
        analysis: Box<crate::analysis::Analysis>,
    },
    /// A theme asked for with `:theme` was read (or could not be).
    ThemeLoaded(Result<Theme, String>),
    /// Live collection made progress.
    Collecting(crate::source::collect::Progress),
    /// What live collection has gathered so far, built and analysed: the
    /// views move over to it, keeping their places, unless newer data (or
    /// the final data) is already shown.
    Partial(Box<Data>),
    /// A background sort finished.
    Sorted {
        depth: usize,
        list: Box<ListView>,
    },
    /// Time passed (the clock in the header, the spinner).
    Tick(DateTime<Utc>),
    /// An effect finished: what to tell the user.
    Said(Message),
    /// CloudTrail's event history for a resource was read.
    HistoryRead {
        resource: String,
        history: Box<crate::source::collect::history::History>,
    },
}

/// Work for the runner: things that touch the outside world.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Write these files.
    Export(export::Export),
    /// Sort a long list off the input path; the answer comes back as
    /// `Event::Sorted`.
    Sort(SortJob),
    /// Read a theme (built in, or a file in the config folder); the answer
    /// comes back as `Event::ThemeLoaded`.
    LoadTheme {
        name: String,
        monochrome: bool,
    },
    /// Read a resource's CloudTrail event history (live only); the answer
    /// comes back as `Event::HistoryRead`.
    History(history::HistoryRequest),
}

/// A list to sort in the background.
#[derive(Clone)]
pub struct SortJob {
    /// Where the list is on the view stack.
    pub depth: usize,
    pub list: ListView,
    pub data: Arc<Data>,
    pub scope: Scope,
}

impl SortJob {
    /// Do the work (on a blocking thread).
    pub fn run(mut self) -> Event {
        self.list.refresh(&self.data, &self.scope);
        Event::Sorted {
            depth: self.depth,
            list: Box::new(self.list),
        }
    }
}

impl std::fmt::Debug for SortJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SortJob(depth {}, {} rows, column {})",
            self.depth,
            self.list.rows.len(),
            self.list.sort
        )
    }
}

impl PartialEq for SortJob {
    fn eq(&self, other: &SortJob) -> bool {
        self.depth == other.depth
            && self.list.sort == other.list.sort
            && self.list.reverse == other.list.reverse
    }
}

/// Lists longer than this are sorted in the background.
pub const BACKGROUND_SORT_ROWS: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub level: Level,
    pub text: String,
}

impl Message {
    pub fn info(text: impl Into<String>) -> Message {
        Message {
            level: Level::Info,
            text: text.into(),
        }
    }
    pub fn error(text: impl Into<String>) -> Message {
        Message {
            level: Level::Error,
            text: text.into(),
        }
    }
}

/// A view on the stack.
#[derive(Debug, Clone)]
pub enum View {
    Overview {
        selected: usize,
        offset: usize,
    },
    /// What was read and what was not (gaps, with why); live progress.
    Collection {
        selected: usize,
        offset: usize,
    },
    /// Every posture check, worst first.
    Checks(checks::ChecksView),
    List(ListView),
    Resource(ResourceView),
    /// Who changed a resource: its CloudTrail events.
    History(history::HistoryView),
}

/// A line being typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub text: String,
    /// Tab's choices for the text, and which one is shown: the next Tab
    /// shows the next.
    pub cycle: Option<(Vec<String>, usize)>,
}

#[derive(Debug, Clone)]
pub struct FindState {
    pub input: Input,
    pub hits: Hits,
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    Command(Input),
    Filter(Input),
    Find(FindState),
    Ask(Input),
    Help { scroll: usize },
}

/// Loading status, for the header.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Loading { since: DateTime<Utc> },
    Ready,
    Failed(String),
}

pub struct App {
    /// The last left click: its row and when, to tell a double click.
    last_click: Option<(u16, std::time::Instant)>,
    pub data: Option<Arc<Data>>,
    pub status: Status,
    /// What is being shown: `demo`, a path.
    pub source: String,
    pub stack: Vec<View>,
    pub forward: Vec<View>,
    pub mode: Mode,
    pub message: Option<Message>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub scope: Scope,
    pub side_pane: bool,
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    pub quit: bool,
    /// Live collection's progress, for the header.
    pub collecting: CollectProgress,
    /// The data is read live: CloudTrail's event history can be asked.
    pub live: bool,
    /// Every `:history` asked for, by resource id.
    pub histories: history::Histories,
}

/// Ctrl-U clears a line being typed, as in a shell.
fn is_clear_line(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('u') && k.modifiers.contains(KeyModifiers::CONTROL)
}

/// Commands, their aliases, and what they do (for completion and help).
pub const COMMANDS: &[(&str, &str)] = &[
    ("overview", "accounts and regions at a glance"),
    (
        "exposed",
        "every resource reachable from the internet, worst first",
    ),
    ("findings", "GuardDuty findings, worst first"),
    (
        "admins",
        "users and roles that are admin, and how (the statements)",
    ),
    (
        "escalation",
        "users and roles that can become admin, with the steps",
    ),
    (
        "trust",
        "roles anyone, an external account or another account can assume",
    ),
    (
        "collection",
        "what was read and what could not be (gaps, with why); live progress",
    ),
    ("all", "every resource (filter it with /)"),
    ("instances", "EC2 instances"),
    ("sg", "security groups"),
    ("vpc", "VPCs"),
    ("subnets", "subnets"),
    ("rtb", "route tables"),
    ("nacl", "network ACLs"),
    ("eni", "network interfaces"),
    ("igw", "internet gateways"),
    ("lb", "load balancers"),
    ("tg", "target groups"),
    ("roles", "IAM roles"),
    ("users", "IAM users"),
    ("groups", "IAM groups"),
    ("policies", "IAM policies"),
    ("keys", "access keys"),
    ("accounts", "accounts"),
    ("checks", "checks: every posture check, worst first"),
    ("check", "check ID: the resources one check fails on"),
    ("why", "why ID: why a resource is (not) exposed"),
    (
        "history",
        "history [ID] [DAYS]: who changed it, from CloudTrail's event history (live)",
    ),
    ("account", "account ID: show one account (no ID: all)"),
    ("region", "region NAME: show one region (no name: all)"),
    (
        "theme",
        "theme NAME: dark, light, high-contrast or your own",
    ),
    ("help", "keys and commands"),
    ("quit", "leave skyhound"),
];

/// The list kind a command opens.
fn command_kind(cmd: &str) -> Option<ListKind> {
    Some(match cmd {
        "exposed" | "exposure" | "open" => ListKind::Exposed,
        "all" | "everything" => ListKind::All,
        "findings" | "finding" | "gd" | "guardduty" => ListKind::Findings,
        "admins" | "admin" => ListKind::Identity(Identity::Admins),
        "escalation" | "escalations" | "privesc" => ListKind::Identity(Identity::Escalation),
        "trust" | "trusts" => ListKind::Identity(Identity::Trust),
        "instances" | "instance" | "ec2" | "i" => ListKind::Kind(NodeKind::Instance),
        "roles" => ListKind::Kind(NodeKind::IamRole),
        "users" => ListKind::Kind(NodeKind::IamUser),
        "groups" => ListKind::Kind(NodeKind::IamGroup),
        "policies" => ListKind::Kind(NodeKind::IamPolicy),
        "keys" => ListKind::Kind(NodeKind::AccessKey),
        "subnets" => ListKind::Kind(NodeKind::Subnet),
        "accounts" => ListKind::Kind(NodeKind::Account),
        other => ListKind::Kind(NodeKind::parse(other)?),
    })
}

impl App {
    pub fn new(source: String, theme: Theme, keymap: Keymap, now: DateTime<Utc>) -> App {
        App {
            data: None,
            status: Status::Loading { since: now },
            source,
            stack: vec![View::Overview {
                selected: 0,
                offset: 0,
            }],
            forward: Vec::new(),
            last_click: None,
            mode: Mode::Normal,
            message: None,
            theme,
            keymap,
            scope: Scope::default(),
            side_pane: true,
            size: (80, 24),
            now,
            quit: false,
            collecting: CollectProgress::default(),
            live: false,
            histories: history::Histories::new(),
        }
    }

    pub fn view(&self) -> &View {
        // The stack is never empty: the overview is its floor.
        &self.stack[self.stack.len() - 1]
    }

    fn view_mut(&mut self) -> &mut View {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    pub fn areas(&self) -> Areas {
        self.areas_in(Rect::new(0, 0, self.size.0, self.size.1))
    }

    /// The layout for a screen: the overview uses the full width.
    pub fn areas_in(&self, screen: Rect) -> Areas {
        areas(
            screen,
            self.side_pane
                && !matches!(self.view(), View::Overview { .. } | View::Collection { .. }),
        )
    }

    /// Rows of the main pane that hold list rows (below its header row).
    fn page(&self) -> usize {
        usize::from(self.areas().main.height.saturating_sub(3)).max(1)
    }

    /// Apply one event; return what the runner must do.
    pub fn update(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_visible();
                self.prepare_tab();
                Vec::new()
            }
            Event::Tick(now) => {
                self.now = now;
                Vec::new()
            }
            Event::HistoryRead { resource, history } => {
                let request = match self.histories.remove(&resource) {
                    Some(history::HistoryState::Reading(r) | history::HistoryState::Read(r, _)) => {
                        r
                    }
                    _ => return Vec::new(),
                };
                let gaps = history.gaps.len();
                let events = history.events.len();
                self.message = Some(if gaps > 0 && events == 0 {
                    Message::error(format!(
                        "could not read the history of {resource}: {}",
                        history.gaps.join("; ")
                    ))
                } else {
                    Message::info(format!(
                        "{} naming {resource}",
                        crate::labels::plural(events, "event")
                    ))
                });
                self.histories
                    .insert(resource, history::HistoryState::Read(request, *history));
                Vec::new()
            }
            Event::Said(m) => {
                self.message = Some(m);
                Vec::new()
            }
            Event::Loaded(Ok(data)) => {
                let n = data.graph.len();
                let problems = data.problems.len();
                if self
                    .data
                    .as_ref()
                    .is_some_and(|d| d.generation > data.generation)
                {
                    tracing::warn!(
                        "final data of generation {} is older than what is shown",
                        data.generation
                    );
                }
                // Views opened on partial data move over to the whole.
                self.replace_data(Arc::from(data));
                self.status = Status::Ready;
                if problems > 0 {
                    self.message = Some(Message {
                        level: Level::Warning,
                        text: format!(
                            "loaded {n} resources; {problems} files or items skipped (see the log)"
                        ),
                    });
                }
                Vec::new()
            }
            Event::Analysed {
                generation,
                analysis,
            } => {
                self.analysed(generation, *analysis, true);
                Vec::new()
            }
            Event::NetworkAnalysed {
                generation,
                analysis,
            } => {
                self.analysed(generation, *analysis, false);
                Vec::new()
            }
            Event::ThemeLoaded(Ok(theme)) => {
                self.message = Some(Message::info(format!("theme {}", theme.name)));
                self.theme = theme;
                Vec::new()
            }
            Event::ThemeLoaded(Err(e)) => {
                self.message = Some(Message::error(e));
                Vec::new()
            }
            Event::Collecting(p) => {
                self.collecting.apply(p);
                Vec::new()
            }
            Event::Partial(data) => {
                // A partial build that finishes late must not replace the
                // final data, nor a newer partial build.
                let newer = self
                    .data
                    .as_ref()
                    .is_none_or(|d| data.generation > d.generation);
                if newer && matches!(self.status, Status::Loading { .. }) {
                    self.replace_data(Arc::from(data));
                }
                Vec::new()
            }
            Event::Sorted { depth, list } => {
                // Only if the list is still there, asking for this order.
                if let Some(View::List(l)) = self.stack.get_mut(depth) {
                    if l.kind == list.kind
                        && l.sort == list.sort
                        && l.reverse == list.reverse
                        && l.filter == list.filter
                    {
                        let selected = l.selected;
                        *l = *list;
                        l.selected = selected.min(l.rows.len().saturating_sub(1));
                        l.sorting = false;
                    }
                }
                self.keep_selection_visible();
                Vec::new()
            }
            Event::Loaded(Err(e)) => {
                self.status = Status::Failed(e.clone());
                self.message = Some(Message::error(e));
                Vec::new()
            }
            Event::Mouse(m) => {
                self.mouse(m);
                Vec::new()
            }
            Event::Key(k) => {
                let effects = self.key(k);
                self.prepare_tab();
                effects
            }
        }
    }

    /// Move every view over to new data, by resource id: lists keep their
    /// filter, sort and selected resource; a resource view whose resource
    /// is gone is closed.
    pub fn replace_data(&mut self, new: Arc<Data>) {
        let old = self.data.take();
        let map = |id: NodeId| -> Option<NodeId> {
            old.as_ref()
                .and_then(|o| new.graph.by_id(&o.graph.node(id).id))
        };
        let scope = self.scope.clone();
        // Every view, behind and ahead in history, moves over by resource id.
        let carry = |mut v: View| -> Option<View> {
            let alive = match &mut v {
                View::List(l) => {
                    let selected = l.current().and_then(map);
                    l.invalidate();
                    l.refresh(&new, &scope);
                    if let Some(i) = selected.and_then(|s| l.rows.iter().position(|r| *r == s)) {
                        l.selected = i;
                    }
                    true
                }
                View::Resource(r) => match map(r.node) {
                    Some(n) => {
                        let (tab, question) = (r.tab, r.question.clone());
                        *r = ResourceView::new(&new, n, tab);
                        r.question = question;
                        r.compute_why(&new);
                        true
                    }
                    None => false,
                },
                View::Overview { selected, .. } => {
                    *selected = (*selected).min(new.overview.len().saturating_sub(1));
                    true
                }
                View::Collection { .. } => true,
                View::Checks(c) => {
                    c.refresh(&new, &scope);
                    true
                }
                View::History(h) => match map(h.node) {
                    Some(n) => {
                        h.node = n;
                        true
                    }
                    None => false,
                },
            };
            alive.then_some(v)
        };
        let mut keep: Vec<View> = std::mem::take(&mut self.stack)
            .into_iter()
            .filter_map(carry)
            .collect();
        if keep.is_empty() {
            keep.push(View::Overview {
                selected: 0,
                offset: 0,
            });
        }
        self.stack = keep;
        self.forward = std::mem::take(&mut self.forward)
            .into_iter()
            .filter_map(carry)
            .collect();
        if matches!(self.mode, Mode::Find(_)) {
            self.mode = Mode::Normal;
        }
        self.data = Some(new);
        self.keep_selection_visible();
    }

    /// Take in the analysis of one generation (all of it, or exposure and
    /// posture first) and refresh what shows it; an analysis of other data
    /// than what is shown is dropped.
    fn analysed(
        &mut self,
        generation: data::Generation,
        analysis: crate::analysis::Analysis,
        complete: bool,
    ) {
        let Some(data) = self.data.clone() else {
            return;
        };
        if data.generation != generation {
            return;
        }
        let taken = if complete {
            data.set_analysis(analysis)
        } else {
            data.set_first_analysis(analysis)
        };
        if !taken {
            return;
        }
        let scope = self.scope.clone();
        for v in &mut self.stack {
            match v {
                View::List(l) => {
                    l.invalidate();
                    l.refresh(&data, &scope);
                }
                View::Resource(r) => {
                    r.relations = view::relation_rows(&data, r.node);
                    r.compute_why(&data);
                }
                View::Checks(c) => c.refresh(&data, &scope),
                View::Overview { .. } | View::Collection { .. } | View::History(_) => {}
            }
        }
        self.keep_selection_visible();
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return vec![Effect::Quit];
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Normal => self.normal(k),
            Mode::Help { scroll } => {
                self.mode = match k.code {
                    KeyCode::Down | KeyCode::Char('j') => Mode::Help { scroll: scroll + 1 },
                    KeyCode::Up | KeyCode::Char('k') => Mode::Help {
                        scroll: scroll.saturating_sub(1),
                    },
                    _ => Mode::Normal,
                };
                Vec::new()
            }
            Mode::Command(input) => {
                self.typing(k, input, Mode::Command, |app, text| app.run_command(text))
            }
            Mode::Filter(input) => {
                let effects = self.typing(k, input, Mode::Filter, |_, _| Vec::new());
                // The filter applies as it is typed.
                let text = match &self.mode {
                    Mode::Filter(i) => Some(i.text.clone()),
                    _ => None,
                };
                if let Some(t) = text {
                    self.set_filter(t);
                } else if k.code == KeyCode::Esc {
                    self.set_filter(String::new());
                }
                effects
            }
            Mode::Ask(input) => self.typing(k, input, Mode::Ask, |app, text| {
                app.ask(text);
                Vec::new()
            }),
            Mode::Find(state) => self.finding(k, state),
        }
    }

    /// Edit a line; Enter runs `done`, Esc cancels.
    fn typing(
        &mut self,
        k: KeyEvent,
        mut input: Input,
        back: fn(Input) -> Mode,
        done: fn(&mut App, &str) -> Vec<Effect>,
    ) -> Vec<Effect> {
        if is_clear_line(&k) {
            input.text.clear();
            self.mode = back(input);
            return Vec::new();
        }
        match k.code {
            KeyCode::Esc => Vec::new(),
            KeyCode::Enter => done(self, &input.text.clone()),
            KeyCode::Backspace => {
                input.cycle = None;
                input.text.pop();
                self.mode = back(input);
                Vec::new()
            }
            KeyCode::Tab if matches!(back(Input::default()), Mode::Command(_)) => {
                self.complete(&mut input);
                self.mode = back(input);
                Vec::new()
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                input.cycle = None;
                input.text.push(c);
                self.mode = back(input);
                Vec::new()
            }
            _ => {
                self.mode = back(input);
                Vec::new()
            }
        }
    }

    fn finding(&mut self, k: KeyEvent, mut st: FindState) -> Vec<Effect> {
        let Some(data) = self.data.clone() else {
            return Vec::new();
        };
        if is_clear_line(&k) {
            st.input.text.clear();
            st.hits = data.finder.search("", None);
            st.selected = 0;
            self.mode = Mode::Find(st);
            return Vec::new();
        }
        match k.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Enter => {
                if let Some((i, _)) = st.hits.hits.get(st.selected) {
                    let node = data.finder.node(*i);
                    self.open_resource(node, Tab::Detail);
                }
                return Vec::new();
            }
            KeyCode::Down => {
                st.selected = (st.selected + 1).min(st.hits.hits.len().saturating_sub(1))
            }
            KeyCode::Up => st.selected = st.selected.saturating_sub(1),
            KeyCode::Backspace => {
                st.input.text.pop();
                st.hits = data.finder.search(&st.input.text, None);
                st.selected = 0;
            }
            KeyCode::Char(c) => {
                st.input.text.push(c);
                st.hits = data.finder.search(&st.input.text, Some(&st.hits));
                st.selected = 0;
            }
            _ => {}
        }
        self.mode = Mode::Find(st);
        Vec::new()
    }

    fn normal(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(action) = self.keymap.action(&k) else {
            return Vec::new();
        };
        self.message = None;
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::Command => self.mode = Mode::Command(Input::default()),
            Action::Filter => {
                let current = match self.view() {
                    View::List(l) => Some(l.filter.clone()),
                    View::Checks(c) => Some(c.filter.clone()),
                    _ => None,
                };
                if let Some(text) = current {
                    self.mode = Mode::Filter(Input { text, cycle: None });
                } else {
                    self.message = Some(Message::info(
                        "/ filters lists; here, use f to find any resource",
                    ));
                }
            }
            Action::Find => {
                if self.data.is_some() {
                    self.mode = Mode::Find(FindState {
                        input: Input::default(),
                        hits: Hits::default(),
                        selected: 0,
                    });
                }
            }
            Action::Back => self.back(),
            Action::HistoryBack => self.back(),
            Action::HistoryForward => {
                if let Some(v) = self.forward.pop() {
                    self.stack.push(v);
                }
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page() as isize)),
            Action::PageDown => self.move_by(self.page() as isize),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Open => self.open(),
            Action::NextTab | Action::PrevTab => {
                let kind = self.view_kind();
                if let (View::Resource(r), Some(kind)) = (self.view_mut(), kind) {
                    let tabs = Tab::of(kind);
                    let i = tabs.iter().position(|t| *t == r.tab).unwrap_or(0);
                    let n = if action == Action::NextTab {
                        (i + 1) % tabs.len()
                    } else {
                        (i + tabs.len() - 1) % tabs.len()
                    };
                    r.tab = tabs[n];
                    r.scroll = 0;
                }
            }
            Action::DetailTab
            | Action::RelationsTab
            | Action::WhyTab
            | Action::FourthTab
            | Action::FifthTab => {
                let kind = self.view_kind();
                // The third tab and after depend on the kind: why-exposed or
                // a principal's permissions, then the blast radius and the
                // response steps.
                let nth =
                    |n: usize, or: Tab| kind.and_then(|k| Tab::of(k).get(n).copied()).unwrap_or(or);
                let tab = match action {
                    Action::DetailTab => Tab::Detail,
                    Action::RelationsTab => Tab::Relations,
                    Action::WhyTab => nth(2, Tab::Why),
                    Action::FourthTab => nth(3, Tab::Blast),
                    _ => nth(4, Tab::Respond),
                };
                match self.view_mut() {
                    View::Resource(r) => {
                        if kind.is_none_or(|k| Tab::of(k).contains(&tab)) {
                            r.tab = tab;
                            r.scroll = 0;
                        }
                    }
                    _ => match self.selected_node() {
                        Some(node) => self.open_resource(node, tab),
                        None => {
                            self.message = Some(Message::info(
                                "1 to 5 pick a resource's tab: open one first",
                            ))
                        }
                    },
                }
            }
            Action::Why => {
                if let Some(node) = self.selected_node() {
                    match self.view_mut() {
                        View::Resource(r) if r.node == node => {
                            r.tab = Tab::Why;
                            r.scroll = 0;
                        }
                        _ => self.open_resource(node, Tab::Why),
                    }
                }
            }
            Action::Blast | Action::Respond => {
                let tab = if action == Action::Blast {
                    Tab::Blast
                } else {
                    Tab::Respond
                };
                if let Some(node) = self.selected_node() {
                    match self.view_mut() {
                        View::Resource(r) if r.node == node => {
                            let kind = self.view_kind();
                            if let (View::Resource(r), Some(k)) = (self.view_mut(), kind)
                                && Tab::of(k).contains(&tab)
                            {
                                r.tab = tab;
                                r.scroll = 0;
                            }
                        }
                        _ => self.open_resource(node, tab),
                    }
                }
            }
            Action::Toggle => match self.view_mut() {
                View::Resource(r) if r.tab == Tab::Blast => {
                    if let Some(t) = &mut r.blast {
                        t.toggle();
                    }
                    let page = self.page();
                    if let View::Resource(r) = self.view_mut()
                        && let Some(t) = &r.blast
                    {
                        r.scroll = follow(r.scroll, t.selected, page);
                    }
                }
                _ => {
                    self.message = Some(Message::info(
                        "space opens or closes a part or its evidence on the blast radius tab",
                    ))
                }
            },
            Action::NextEvidence => self.step_link(1),
            Action::PrevEvidence => self.step_link(-1),
            Action::Ask => {
                let principal = self.view_kind().is_some_and(|k| {
                    Tab::of(k).contains(&Tab::Permissions)
                        && matches!(self.view(), View::Resource(_))
                });
                if principal || matches!(self.view(), View::Resource(r) if r.tab == Tab::Why) {
                    self.mode = Mode::Ask(Input::default());
                } else {
                    self.message = Some(Message::info(
                        "a asks about a port in the why view (w), or what a user or role can do",
                    ));
                }
            }
            Action::SortNext | Action::SortReverse => {
                let (data, scope) = (self.data.clone(), self.scope.clone());
                let depth = self.stack.len() - 1;
                if let (Some(d), View::List(l)) = (data, self.view_mut()) {
                    if action == Action::SortNext {
                        l.sort = (l.sort + 1) % view::columns(l.kind).len();
                    } else {
                        l.reverse = !l.reverse;
                    }
                    if l.rows.len() > BACKGROUND_SORT_ROWS {
                        l.sorting = true;
                        return vec![Effect::Sort(SortJob {
                            depth,
                            list: l.clone(),
                            data: d,
                            scope,
                        })];
                    }
                    l.refresh(&d, &scope);
                }
            }
            Action::ToggleSide => {
                self.side_pane = !self.side_pane;
                if self.size.0 < layout::SIDE_PANE_WIDTH {
                    self.message = Some(Message::info(format!(
                        "the side pane shows on terminals {} columns wide or more (this one has {}); Enter opens the detail",
                        layout::SIDE_PANE_WIDTH,
                        self.size.0
                    )));
                }
            }
            Action::Copy => {
                if let Some(node) = self.selected_node() {
                    if let Some(d) = &self.data {
                        let n = d.graph.node(node);
                        let text = n.arn.clone().unwrap_or_else(|| n.id.clone());
                        self.message = Some(Message::info(format!("copied {text} (OSC 52)")));
                        return vec![Effect::Copy(text)];
                    }
                }
            }
            Action::Export => {
                if let Some(d) = &self.data {
                    match export::export(d, self.view(), &self.scope, &self.histories, self.now) {
                        Some(doc) => return vec![Effect::Export(doc)],
                        None => self.message = Some(Message::info("nothing to export here")),
                    }
                }
            }
            Action::Overview => self.jump(View::Overview {
                selected: 0,
                offset: 0,
            }),
            Action::Exposed => self.open_list(ListKind::Exposed),
            Action::Findings => self.open_list(ListKind::Findings),
        }
        self.keep_selection_visible();
        Vec::new()
    }

    fn push(&mut self, v: View) {
        self.stack.push(v);
        self.forward.clear();
    }

    /// A jump (a `:` command, `o`, `x`, `F`) starts a new trail from the
    /// overview, as k9s does: the breadcrumbs say where you are, not every
    /// place you have been.
    fn jump(&mut self, v: View) {
        self.stack.truncate(1);
        if !matches!(v, View::Overview { .. }) || self.stack.is_empty() {
            self.stack.push(v);
        } else if let Some(root) = self.stack.first_mut() {
            *root = v;
        }
        self.forward.clear();
    }

    fn back(&mut self) {
        if self.stack.len() > 1 {
            if let Some(v) = self.stack.pop() {
                self.forward.push(v);
            }
        }
    }

    /// The kind of the resource shown, in a resource view.
    fn view_kind(&self) -> Option<NodeKind> {
        match (self.view(), self.data.as_deref()) {
            (View::Resource(r), Some(d)) => Some(d.graph.node(r.node).kind()),
            _ => None,
        }
    }

    /// Jump to a list (a new trail).
    pub fn open_list(&mut self, kind: ListKind) {
        let Some(d) = self.data.clone() else {
            self.message = Some(Message::info("still loading"));
            return;
        };
        self.jump(View::List(ListView::new(&d, kind, &self.scope)));
    }

    /// A tab that is worked out only when shown (permissions) is worked
    /// out now, once.
    fn prepare_tab(&mut self) {
        let Some(d) = self.data.clone() else { return };
        let width = self.size.0;
        if let View::Resource(r) = self.view_mut() {
            if r.tab == Tab::Permissions && r.permissions.is_none() {
                r.permissions = Some(view::permissions_tree(&d, r.node));
            }
            // Long lines are wrapped to the screen, so that scrolling
            // reaches the last.
            let width = usize::from(width.saturating_sub(4)).max(20);
            let wrapped = |lines: Vec<String>| -> Vec<String> {
                lines
                    .iter()
                    .flat_map(|l| {
                        let indent = l.len() - l.trim_start().len();
                        let mut pieces = crate::text::wrap(
                            l.trim_start(),
                            width.saturating_sub(indent + 2).max(10),
                        );
                        if pieces.is_empty() {
                            pieces.push(String::new());
                        }
                        pieces
                            .into_iter()
                            .enumerate()
                            .map(move |(i, p)| {
                                let pad = if i == 0 { indent } else { indent + 2 };
                                format!("{}{p}", " ".repeat(pad))
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect()
            };
            if r.tab == Tab::Blast {
                match &mut r.blast {
                    Some(tree) => tree.resize(width),
                    None => r.blast = Some(Box::new(view::blast_tree(&d, r.node, width))),
                }
            }
            if r.tab == Tab::Respond && r.respond.is_none() {
                r.respond = Some(wrapped(view::respond_lines(&d, r.node, Utc::now())));
            }
        }
    }

    pub fn open_resource(&mut self, node: NodeId, tab: Tab) {
        let Some(d) = self.data.clone() else { return };
        let kind = d.graph.node(node).kind();
        let tab = if Tab::of(kind).contains(&tab) {
            tab
        } else {
            self.message = Some(Message::info(match tab {
                Tab::Why => format!(
                    "a {kind} is not reached from the internet itself: it has no why-exposed tab"
                ),
                Tab::Blast => format!(
                    "a {kind} starts no blast radius: open an instance, interface, load balancer, key, user, role or finding"
                ),
                Tab::Respond => format!(
                    "a {kind} has no response steps: open an instance, key, user, role, bucket or finding"
                ),
                other => format!("a {kind} has no {} tab", other.title()),
            }));
            Tab::Detail
        };
        self.push(View::Resource(ResourceView::new(&d, node, tab)));
    }

    /// Who changed a resource: its history view, and the reading of its
    /// events when the data is live and they are not being read already.
    fn open_history(&mut self, node: NodeId, days: u32) -> Vec<Effect> {
        let Some(d) = self.data.clone() else {
            return Vec::new();
        };
        let request = history::HistoryRequest::of(&d.graph, node, days);
        let resource = request.resource.clone();
        let node = d.graph.by_id(&resource).unwrap_or(node);
        let shown = matches!(self.view(), View::History(h) if h.resource == resource);
        if !shown {
            self.push(View::History(history::HistoryView {
                node,
                resource: resource.clone(),
                selected: 0,
                offset: 0,
            }));
        }
        if !self.live {
            self.histories
                .insert(resource, history::HistoryState::Offline);
            return Vec::new();
        }
        if matches!(
            self.histories.get(&resource),
            Some(history::HistoryState::Reading(_))
        ) {
            return Vec::new();
        }
        self.histories
            .insert(resource, history::HistoryState::Reading(request.clone()));
        vec![Effect::History(request)]
    }

    /// Open the policy a statement is in, scrolled to the statement and
    /// with it highlighted.
    fn open_statement(&mut self, d: &Data, to: view::StatementLink) {
        let Some(node) = to.source.node() else { return };
        let mut v = ResourceView::new(d, node, Tab::Detail);
        v.highlight = Some(to.clone());
        let rows = view::detail_rows(d, node, v.highlight.as_ref());
        let what = match &to.source {
            crate::analysis::iam::PolicySource::Trust(_) => "its trust policy",
            crate::analysis::iam::PolicySource::Inline(_, name) => name.as_str(),
            _ => "the policy",
        };
        self.message = Some(match view::detail_marked(&rows) {
            Some(at) => {
                v.scroll = at.saturating_sub(2);
                Message::info(format!(
                    "statement {} of {what} highlighted; Esc returns",
                    to.statement
                ))
            }
            None => Message::info(format!(
                "statement {} is not in {what} as collected",
                to.statement
            )),
        });
        self.push(View::Resource(v));
    }

    /// Select the next (or previous) statement behind a finding in the
    /// detail, and scroll it into view.
    fn step_link(&mut self, delta: isize) {
        let Some(d) = self.data.clone() else { return };
        let page = self.page();
        let View::Resource(r) = self.view_mut() else {
            self.message = Some(Message::info(
                "n picks a statement behind a finding in a resource's detail",
            ));
            return;
        };
        if r.tab != Tab::Detail {
            r.tab = Tab::Detail;
        }
        let rows = view::detail_rows(&d, r.node, r.highlight.as_ref());
        let count = view::detail_links(&rows) as isize;
        if count == 0 {
            r.link = None;
            self.message = Some(Message::info("no finding here rests on a policy statement"));
            return;
        }
        let next = match r.link {
            None if delta < 0 => count - 1,
            None => 0,
            Some(k) => (k as isize + delta).rem_euclid(count),
        } as usize;
        r.link = Some(next);
        if let Some((at, _)) = view::detail_link(&rows, next) {
            if at < r.scroll || at >= r.scroll + page {
                r.scroll = at.saturating_sub(page / 2);
            }
        }
        self.message = Some(Message::info(format!(
            "statement {} of {count}: Enter opens it in its policy",
            next + 1
        )));
    }

    /// The history view's state and events, when it is shown.
    pub fn history_events(
        &self,
    ) -> Option<(
        &history::HistoryState,
        &[crate::source::collect::history::Event],
    )> {
        let View::History(h) = self.view() else {
            return None;
        };
        let state = self.histories.get(&h.resource)?;
        let events = match state {
            history::HistoryState::Read(_, found) => found.events.as_slice(),
            _ => &[],
        };
        Some((state, events))
    }

    /// The node the cursor is on, in any view.
    pub fn selected_node(&self) -> Option<NodeId> {
        match self.view() {
            View::List(l) => l.current(),
            View::Resource(r) if r.tab == Tab::Relations => r.selected_relation().or(Some(r.node)),
            View::Resource(r) => Some(r.node),
            View::History(h) => Some(h.node),
            View::Overview { .. } | View::Collection { .. } | View::Checks(_) => None,
        }
    }

    fn open(&mut self) {
        let Some(d) = self.data.clone() else { return };
        match self.view().clone() {
            View::Overview { selected, .. } => {
                if let Some(row) = d.overview.get(selected) {
                    self.scope = Scope {
                        account: Some(row.account.clone()),
                        region: row.region.clone(),
                    };
                    self.open_list(ListKind::Kind(NodeKind::Instance));
                    let (a, r) = self.scope.label(&d);
                    self.message = Some(Message::info(format!(
                        "scope: account {a}, region {r} (:account and :region change it)"
                    )));
                }
            }
            View::List(l) => {
                let Some(node) = l.current() else { return };
                match l.kind {
                    ListKind::Exposed => self.open_resource(node, Tab::Why),
                    ListKind::Findings => {
                        // The finding itself; Enter again goes to its resource.
                        self.open_resource(node, Tab::Detail);
                    }
                    ListKind::Kind(_)
                    | ListKind::All
                    | ListKind::Identity(_)
                    | ListKind::Check(_) => self.open_resource(node, Tab::Detail),
                }
            }
            View::History(_) => {}
            View::Checks(c) => {
                // The resources the check fails on, with the evidence.
                if let Some(check) = c.current() {
                    self.push(View::List(ListView::new(
                        &d,
                        ListKind::Check(check.id),
                        &self.scope,
                    )));
                }
            }
            View::Collection { selected, .. } => {
                // Enter scopes the explorer to the row's account and region.
                let rows = collection::rows(Some(&d), &self.collecting);
                if let Some(row) = rows.get(selected) {
                    self.scope = Scope {
                        account: Some(row.account.clone()),
                        region: row.region.clone(),
                    };
                    self.rescope();
                    let (a, r) = self.scope.label(&d);
                    self.message = Some(Message::info(format!(
                        "scope: account {a}, region {r} (:account and :region change it)"
                    )));
                }
            }
            View::Resource(r) if r.tab == Tab::Permissions => {
                let link = match self.view_mut() {
                    View::Resource(r) => r.permissions.as_mut().and_then(|t| t.enter()),
                    _ => None,
                };
                if let Some(to) = link {
                    self.open_statement(&d, to);
                }
            }
            View::Resource(r) if r.tab == Tab::Blast => {
                let follow = match self.view_mut() {
                    View::Resource(r) => r.blast.as_mut().and_then(|t| t.enter()),
                    _ => None,
                };
                match follow {
                    Some(blast::Follow::Resource(node)) => {
                        self.open_resource(node, Tab::Detail);
                        self.message = Some(Message::info(
                            "Esc returns to the blast radius; b shows this one's own",
                        ));
                    }
                    Some(blast::Follow::Permissions(node)) => {
                        self.open_resource(node, Tab::Permissions);
                    }
                    Some(blast::Follow::Statement(to)) => self.open_statement(&d, to),
                    None => {}
                }
            }
            View::Resource(r) if r.tab == Tab::Detail && r.link.is_some() => {
                let rows = view::detail_rows(&d, r.node, r.highlight.as_ref());
                let Some((_, to)) = r.link.and_then(|k| view::detail_link(&rows, k)) else {
                    return;
                };
                self.open_statement(&d, to.clone());
            }
            View::Resource(r) => {
                if r.tab == Tab::Relations {
                    if let Some(next) = r.selected_relation() {
                        self.open_resource(next, Tab::Detail);
                    }
                } else if r.tab == Tab::Why {
                    match r.selected_hop() {
                        Some(hop) => self.open_resource(hop, Tab::Detail),
                        None => {
                            self.message = Some(Message::info(
                                "↑↓ pick a hop (a gateway, route table, network ACL or security group); Enter opens it",
                            ))
                        }
                    }
                } else if let Some(target) = d
                    .graph
                    .outgoing(r.node)
                    .find(|e| e.kind == crate::model::EdgeKind::FindingAffects)
                    .map(|e| e.to)
                {
                    // A finding's detail: Enter goes to what it is about.
                    self.open_resource(target, Tab::Detail);
                    self.message = Some(Message::info(
                        "the finding's resource; Esc returns to the finding",
                    ));
                } else if let View::Resource(r) = self.view_mut() {
                    // Enter in the detail moves to relationships.
                    r.tab = Tab::Relations;
                }
            }
        }
    }

    /// Rows in the collection view, when it is the one shown (else 0: the
    /// rows are not worth building on every key elsewhere).
    fn collection_len(&self) -> usize {
        match self.view() {
            View::Collection { .. } => {
                collection::rows(self.data.as_deref(), &self.collecting).len()
            }
            _ => 0,
        }
    }

    fn move_by(&mut self, delta: isize) {
        let data = self.data.clone();
        let overview_len = data.as_ref().map(|d| d.overview.len()).unwrap_or(0);
        let collection_len = self.collection_len();
        let history_len = self.history_events().map_or(0, |(_, e)| e.len());
        let step = |cur: usize, len: usize| -> usize {
            (cur as isize)
                .saturating_add(delta)
                .clamp(0, len.saturating_sub(1) as isize) as usize
        };
        // A resource's text scrolls until its last page shows, not past it.
        let page = self.page();
        let scroll = |cur: usize, len: usize| -> usize {
            (cur as isize)
                .saturating_add(delta)
                .clamp(0, len.saturating_sub(page) as isize) as usize
        };
        match self.view_mut() {
            View::Overview { selected, .. } => *selected = step(*selected, overview_len),
            View::Collection { selected, .. } => *selected = step(*selected, collection_len),
            View::List(l) => l.selected = step(l.selected, l.rows.len()),
            View::Checks(c) => c.selected = step(c.selected, c.rows.len()),
            View::History(h) => h.selected = step(h.selected, history_len),
            View::Resource(r) => match r.tab {
                Tab::Relations => r.move_relation(delta.clamp(-10_000, 10_000)),
                Tab::Why => {
                    // The cursor moves; the text scrolls to keep it in view.
                    r.why_selected = step(r.why_selected, r.why.len());
                    r.scroll = follow(r.scroll, r.why_selected, page)
                        .min(r.why.len().saturating_sub(page));
                }
                Tab::Detail => {
                    let len = data
                        .as_ref()
                        .map(|d| view::detail_rows(d, r.node, r.highlight.as_ref()).len())
                        .unwrap_or(0);
                    r.scroll = scroll(r.scroll, len);
                }
                Tab::Blast => {
                    // The cursor moves over the tree; the text scrolls to
                    // keep it in view.
                    if let Some(t) = &mut r.blast {
                        t.selected = step(t.selected, t.rows().len());
                        r.scroll = follow(r.scroll, t.selected, page);
                    }
                }
                Tab::Respond => {
                    r.scroll = scroll(r.scroll, r.respond.as_ref().map_or(0, Vec::len));
                }
                Tab::Permissions => {
                    // The cursor moves over the permissions; the answers
                    // asked with `a` stay above them.
                    let asked = r.asked.len();
                    if let Some(t) = &mut r.permissions {
                        t.selected = step(t.selected, t.rows().len());
                        r.scroll = if t.selected == 0 {
                            0
                        } else {
                            follow(r.scroll, asked + t.selected, page)
                        };
                    }
                }
            },
        }
    }

    fn keep_selection_visible(&mut self) {
        let page = self.page();
        match self.view_mut() {
            View::List(l) => l.scroll_to_selection(page),
            View::Overview { selected, offset }
            | View::Collection { selected, offset }
            | View::Checks(checks::ChecksView {
                selected, offset, ..
            })
            | View::History(history::HistoryView {
                selected, offset, ..
            }) => {
                if *selected < *offset {
                    *offset = *selected;
                } else if *selected >= *offset + page {
                    *offset = *selected + 1 - page;
                }
            }
            View::Resource(_) => {}
        }
    }

    fn set_filter(&mut self, text: String) {
        let (data, scope) = (self.data.clone(), self.scope.clone());
        let Some(d) = data else { return };
        match self.view_mut() {
            View::List(l) if l.filter != text => {
                l.filter = text;
                l.selected = 0;
                l.offset = 0;
                l.refresh(&d, &scope);
            }
            View::Checks(c) if c.filter != text => {
                c.filter = text;
                c.selected = 0;
                c.offset = 0;
                c.refresh(&d, &scope);
            }
            _ => {}
        }
    }

    fn ask(&mut self, text: &str) {
        let Some(d) = self.data.clone() else { return };
        if let View::Resource(r) = self.view_mut() {
            if Tab::of(d.graph.node(r.node).kind()).contains(&Tab::Permissions) {
                match view::ask_can(&d, r.node, text) {
                    Ok(lines) => {
                        r.asked = lines;
                        r.tab = Tab::Permissions;
                        r.scroll = 0;
                    }
                    Err(e) => self.message = Some(Message::error(e)),
                }
                return;
            }
        }
        match Question::parse(text) {
            Ok(q) => {
                if let View::Resource(r) = self.view_mut() {
                    r.question = Some(q);
                    r.scroll = 0;
                    r.compute_why(&d);
                }
            }
            Err(e) => self.message = Some(Message::error(e)),
        }
    }

    /// Tab: the one completion, else what the choices share, else the next
    /// choice in turn.
    fn complete(&self, input: &mut Input) {
        if let Some((choices, i)) = &mut input.cycle {
            if choices.get(*i) == Some(&input.text) {
                *i = (*i + 1) % choices.len();
                input.text = choices[*i].clone();
                return;
            }
        }
        let choices = complete::candidates(self.data.as_deref(), &input.text);
        match choices.as_slice() {
            [] => {}
            [one] => input.text = one.clone(),
            many => {
                let common = complete::common_prefix(many);
                if common.len() > input.text.len() {
                    input.text = common;
                } else {
                    input.text = many[0].clone();
                    input.cycle = Some((choices, 0));
                }
            }
        }
    }

    /// Run a `:` command.
    pub fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.split_whitespace();
        let Some(cmd) = words.next() else {
            return Vec::new();
        };
        let arg = words.collect::<Vec<_>>().join(" ");
        let cmd = cmd.to_ascii_lowercase();
        match cmd.as_str() {
            "q" | "quit" | "q!" => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            "help" | "h" => self.mode = Mode::Help { scroll: 0 },
            "overview" | "home" => self.jump(View::Overview {
                selected: 0,
                offset: 0,
            }),
            "collection" | "gaps" | "progress" => self.jump(View::Collection {
                selected: 0,
                offset: 0,
            }),
            "checks" | "posture" | "check" if arg.is_empty() => {
                let Some(d) = self.data.clone() else {
                    self.message = Some(Message::info("still loading"));
                    return Vec::new();
                };
                self.jump(View::Checks(checks::ChecksView::new(&d, &self.scope)));
            }
            "checks" | "check" => match crate::analysis::checks::find(&arg) {
                Some(check) => self.open_list(ListKind::Check(check.id)),
                None => {
                    self.message = Some(Message::error(format!(
                        "no check {arg:?} (Tab completes; :checks lists them)"
                    )))
                }
            },
            "history" | "changes" => {
                // `:history [ID] [DAYS]`: the resource under the cursor
                // when no id is given, 90 days (CloudTrail's whole history)
                // unless a number of days is.
                let mut words: Vec<&str> = arg.split_whitespace().collect();
                let days = match words.last().map(|w| w.parse::<u32>()) {
                    Some(Ok(n)) if (1..=90).contains(&n) => {
                        words.pop();
                        n
                    }
                    Some(Ok(_)) => {
                        self.message = Some(Message::error(
                            "CloudTrail's event history holds 1 to 90 days",
                        ));
                        return Vec::new();
                    }
                    _ => 90,
                };
                match self.resolve(&words.join(" ")) {
                    Ok(node) => return self.open_history(node, days),
                    Err(e) => self.message = Some(Message::error(e)),
                }
            }
            "why" => match self.resolve(&arg) {
                Ok(node) => {
                    self.stack.truncate(1);
                    self.open_resource(node, Tab::Why);
                }
                Err(e) => self.message = Some(Message::error(e)),
            },
            "account" | "ctx" | "region" => {
                let Some(d) = self.data.clone() else {
                    self.message = Some(Message::error("still loading"));
                    return Vec::new();
                };
                let everything = arg.is_empty() || arg == "all";
                let resolved = match (cmd.as_str(), everything) {
                    (_, true) => Ok(None),
                    ("region", false) => d.graph.resolve_region(&arg).map(Some),
                    (_, false) => d.graph.resolve_account(&arg).map(Some),
                };
                match resolved {
                    Ok(value) => {
                        if cmd == "region" {
                            self.scope.region = value;
                        } else {
                            self.scope.account = value;
                        }
                        self.rescope();
                    }
                    Err(e) => self.message = Some(Message::error(e)),
                }
            }
            "theme" => {
                return vec![Effect::LoadTheme {
                    name: arg,
                    monochrome: self.theme.monochrome,
                }];
            }
            other => match command_kind(other) {
                Some(kind) => self.open_list(kind),
                None => {
                    self.message = Some(Message::error(format!(
                        "unknown command :{other} (Tab completes; ? lists them)"
                    )))
                }
            },
        }
        Vec::new()
    }

    fn resolve(&self, text: &str) -> Result<NodeId, String> {
        let d = self.data.as_ref().ok_or("still loading")?;
        if text.is_empty() {
            return self
                .selected_node()
                .ok_or_else(|| "name a resource: its id, ARN or name".to_string());
        }
        match d.graph.resolve(text).as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no resource has the id, ARN or name {text:?}")),
            many => Err(format!(
                "{text:?} names {} resources; use an id",
                many.len()
            )),
        }
    }

    /// Apply a changed scope to every list on the stack.
    fn rescope(&mut self) {
        let Some(d) = self.data.clone() else { return };
        let scope = self.scope.clone();
        for v in &mut self.stack {
            match v {
                View::List(l) => l.refresh(&d, &scope),
                View::Checks(c) => c.refresh(&d, &scope),
                _ => {}
            }
        }
        let (a, r) = scope.label(&d);
        self.message = Some(Message::info(format!("scope: account {a}, region {r}")));
    }

    fn mouse(&mut self, m: MouseEvent) {
        match m.kind {
            MouseEventKind::ScrollDown => self.move_by(3),
            MouseEventKind::ScrollUp => self.move_by(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let main = self.areas().main;
                if !main.contains(Position::new(m.column, m.row)) {
                    return;
                }
                // A second click on the same row soon after opens it.
                let now = std::time::Instant::now();
                let double = self.last_click.is_some_and(|(r, at)| {
                    r == m.row && now.duration_since(at) < std::time::Duration::from_millis(500)
                });
                self.last_click = (!double).then_some((m.row, now));
                // Row 0 is the border, row 1 the column titles.
                let row = usize::from(m.row.saturating_sub(main.y + 2));
                let collection_len = self.collection_len();
                let overview_len = self.data.as_ref().map(|d| d.overview.len()).unwrap_or(0);
                match self.view_mut() {
                    View::List(l) => {
                        let target = l.offset + row;
                        if target < l.rows.len() {
                            l.selected = target;
                        }
                    }
                    View::Overview { selected, offset } => {
                        if *offset + row < overview_len {
                            *selected = *offset + row;
                        }
                    }
                    View::Collection { selected, offset } => {
                        if *offset + row < collection_len {
                            *selected = *offset + row;
                        }
                    }
                    View::Checks(c) => {
                        if c.offset + row < c.rows.len() {
                            c.selected = c.offset + row;
                        }
                    }
                    View::Resource(r) if r.tab == Tab::Relations => {
                        let target = usize::from(m.row.saturating_sub(main.y + 1));
                        if matches!(r.relations.get(target), Some(view::RelRow::Item { .. })) {
                            r.rel_selected = target;
                        }
                    }
                    View::Resource(_) | View::History(_) => {}
                }
                if double {
                    self.open();
                }
            }
            _ => {}
        }
        self.keep_selection_visible();
    }

    /// The trail of views, for breadcrumbs.
    pub fn breadcrumbs(&self) -> Vec<String> {
        let d = self.data.as_ref();
        self.stack
            .iter()
            .map(|v| match v {
                View::Overview { .. } => "overview".to_string(),
                View::Collection { .. } => "collection".to_string(),
                View::Checks(c) if c.filter.is_empty() => "checks".to_string(),
                View::Checks(c) => format!("checks /{}", c.filter),
                View::List(l) => {
                    if l.filter.is_empty() {
                        l.kind.title()
                    } else {
                        format!("{} /{}", l.kind.title(), l.filter)
                    }
                }
                View::Resource(r) => {
                    let name = d
                        .map(|d| d.graph.node(r.node).display_name().to_string())
                        .unwrap_or_default();
                    format!("{name} ({})", r.tab.title())
                }
                View::History(h) => {
                    let name = d
                        .map(|d| d.graph.node(h.node).display_name().to_string())
                        .unwrap_or_default();
                    format!("{name} (history)")
                }
            })
            .collect()
    }
}

/// Complete a command line (what one Tab does with no data loaded).
pub fn complete(text: &str) -> String {
    let all = complete::candidates(None, text);
    match all.as_slice() {
        [] => text.to_string(),
        [one] => one.clone(),
        many => complete::common_prefix(many),
    }
}

/// What Tab would offer for the typed line, for the status line: command
/// names, or the argument's choices.
pub fn suggestions(d: Option<&Data>, text: &str) -> Vec<String> {
    complete::candidates(d, text)
        .into_iter()
        .map(|c| {
            c.trim_end()
                .rsplit_once(' ')
                .map(|(_, last)| last.to_string())
                .unwrap_or(c.trim_end().to_string())
        })
        .take(8)
        .collect()
}

/// The scroll that keeps the cursor's line `at` in a page of `page` lines.
fn follow(scroll: usize, at: usize, page: usize) -> usize {
    if at < scroll {
        at
    } else if at >= scroll + page {
        at + 1 - page
    } else {
        scroll
    }
}
