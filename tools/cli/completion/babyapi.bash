# bash completion for babyapi, the BabyAPI command line (installed by babyapi-cpp).
_babyapi() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local global="--api-key --api-key-file --base-url --timeout --max-retries --header -H --quiet -q --json --help --version"
  case $prev in
    --api-key-file|--input|-i|--documents|-d|--output|-o)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "jsonl csv" -- "$cur")); return ;;
    --to) COMPREPLY=($(compgen -W "md json html text doctags md,json md,html" -- "$cur")); return ;;
    --api-key|--base-url|--timeout|--max-retries|--header|-H|-m|--model|--system|-p|--param|\
    --batch-size|--concurrency|--top-n|--option|--wait-timeout|--max-tokens)
      return ;;
  esac

  # The command path typed so far (words that do not start with a dash).
  local command="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      -*) ;;
      *) if [[ -z $command ]]; then command=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
    esac
  done

  local options=""
  case $command in
    "") COMPREPLY=($(compgen -W "chat complete infer embed rerank models raw docling $global" -- "$cur")); return ;;
    chat|complete|infer) options="-m --model --system -p --param --no-stream" ;;
    embed) options="-i --input -m --model --format --batch-size --concurrency -p --param" ;;
    rerank) options="-d --documents -m --model --top-n -p --param" ;;
    models)
      [[ -z $sub ]] && { COMPREPLY=($(compgen -W "list get" -- "$cur")); return; } ;;
    raw)
      if [[ -z $sub ]]; then COMPREPLY=($(compgen -W "GET POST" -- "$cur")); return; fi
      options="-o --output" ;;
    docling)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "convert chunk health ready version" -- "$cur")); return
      fi
      case $sub in
        convert) options="--to -o --output --async --option --wait-timeout" ;;
        chunk)
          local kinds=0
          for ((i = 1; i < cword; i++)); do [[ ${words[i]} == hybrid || ${words[i]} == hierarchical ]] && kinds=1; done
          if ((kinds == 0)) && [[ $cur != -* ]]; then
            COMPREPLY=($(compgen -W "hybrid hierarchical" -- "$cur")); return
          fi
          options="--max-tokens --option" ;;
      esac ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options $global" -- "$cur"))
  elif [[ $command == docling || $command == embed || $command == rerank ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _babyapi babyapi
