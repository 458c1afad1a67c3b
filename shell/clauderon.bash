# clauderon shell hook for bash.
#
# `clauderon shell install` copies this file to ~/.local/share/clauderon/shell/clauderon.bash
# ($XDG_DATA_HOME: a path that stays when the venv or Python changes) and adds one line
# sourcing that copy at the END of ~/.bashrc (`clauderon shell init bash` prints it):
#   [ -r '/home/you/.local/share/clauderon/shell/clauderon.bash' ] && . '/home/you/…/clauderon.bash' #
#
# Inside a clauderon session ($CLAUDERON_SESSION, else $ZELLIJ_SESSION_NAME) this sources
#   ${XDG_STATE_HOME:-$HOME/.local/state}/clauderon/sessions/<session>.sh
# (written by clauderon: TERM, proxy variables, ...) and exports CLAUDERON_HOOK=1.
# Outside a session it does nothing and leaves nothing behind. It runs once, when the shell
# starts: pure bash, no subprocess, no prompt hook. Safe to source twice, keeps $?, works
# under `set -u`.

# Straight-line code, not a function: defining, calling and removing one cost about a fifth
# of the hook's time at every shell start (docs/performance.md). Every name it sets is
# removed at the end; the last line returns the status the rc file had before it.
__clauderon_rc=$?
__clauderon_name=${CLAUDERON_SESSION:-${ZELLIJ_SESSION_NAME:-}}
__clauderon_dir=
if [[ -n $__clauderon_name && $__clauderon_name != */* ]]; then
    # A relative XDG_STATE_HOME is ignored, as the XDG spec says.
    if [[ ${XDG_STATE_HOME:-} == /* ]]; then
        __clauderon_dir=$XDG_STATE_HOME
    elif [[ -n ${HOME:-} ]]; then
        __clauderon_dir=$HOME/.local/state
    fi
    __clauderon_file=$__clauderon_dir/clauderon/sessions/$__clauderon_name.sh
    if [[ -n $__clauderon_dir && -f $__clauderon_file && -r $__clauderon_file ]]; then
        # shellcheck source=/dev/null # the session's env file, written by clauderon
        . "$__clauderon_file"
    fi
    export CLAUDERON_HOOK=1
fi
unset -v __clauderon_name __clauderon_dir __clauderon_file
eval "unset -v __clauderon_rc; return $__clauderon_rc"
