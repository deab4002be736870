"""Every UI string, zh and en, in one place. `t("start", "en")` -> "Start interview"."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {"zh": "拷打 kaoda · 大模型岗位模拟面试", "en": "kaoda · mock interviews for LLM jobs"},
    "tab_interview": {"zh": "面试", "en": "Interview"},
    "tab_review": {"zh": "复盘", "en": "Review"},
    "company": {"zh": "公司风格", "en": "Company style"},
    "role": {"zh": "岗位方向", "en": "Role track"},
    "lang": {"zh": "面试语言", "en": "Interview language"},
    "questions": {"zh": "主问题数（追问另计）", "en": "Main questions (follow-ups extra)"},
    "resume": {"zh": "简历 / 项目描述（可选，粘贴文本）", "en": "Resume / project text (optional)"},
    "resume_file": {"zh": "或上传简历（.pdf / .md / .txt）", "en": "Or upload a resume (.pdf / .md / .txt)"},
    "start": {"zh": "开始面试", "en": "Start interview"},
    "answer": {"zh": "你的回答", "en": "Your answer"},
    "answer_placeholder": {"zh": "输入回答，点「提交」", "en": "Type your answer and press Submit"},
    "submit": {"zh": "提交", "en": "Submit"},
    "hint": {"zh": "提示", "en": "Hint"},
    "dont_know": {"zh": "不知道", "en": "I don't know"},
    "skip": {"zh": "跳过", "en": "Skip"},
    "end": {"zh": "结束面试", "en": "End interview"},
    "score_panel": {"zh": "本题得分（可折叠）", "en": "Score of the last answer (collapsible)"},
    "plan": {"zh": "面试计划", "en": "Interview plan"},
    "no_interview": {"zh": "请先点击「开始面试」。", "en": "Start an interview first."},
    "finished": {"zh": "面试已结束，可以在「复盘」里查看。", "en": "The interview is over; see it in Review."},
    "reports": {"zh": "份面经支撑", "en": "reports back this style"},
    "no_reports": {"zh": "暂无面经支撑（通用风格）", "en": "no interview reports back this style"},
    "hint_prefix": {"zh": "提示（会记入评分）", "en": "Hint (noted in the score)"},
    "refresh": {"zh": "刷新列表", "en": "Refresh"},
    "transcript_id": {"zh": "面试 ID", "en": "Interview ID"},
    "open": {"zh": "打开", "en": "Open"},
    "export_md": {"zh": "导出 Markdown", "en": "Export Markdown"},
    "score": {"zh": "得分", "en": "Score"},
    "covered": {"zh": "答到", "en": "Covered"},
    "missed": {"zh": "遗漏", "en": "Missed"},
    "feedback": {"zh": "反馈", "en": "Feedback"},
    "sources": {"zh": "来源", "en": "Sources"},
    "model_answer": {"zh": "参考答案", "en": "Model answer"},
    "summary": {"zh": "总结", "en": "Summary"},
    "overall": {"zh": "总分", "en": "Overall"},
    "weak": {"zh": "薄弱点", "en": "Weak topics"},
    "col_id": {"zh": "ID", "en": "ID"},
    "col_date": {"zh": "时间", "en": "Date"},
    "col_company": {"zh": "公司", "en": "Company"},
    "col_role": {"zh": "岗位", "en": "Role"},
    "col_mode": {"zh": "模式", "en": "Mode"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_overall": {"zh": "总分", "en": "Overall"},
    "error": {"zh": "出错了", "en": "Error"},
}


def t(key: str, lang: str) -> str:
    """The string for `key` in `lang` (zh or en)."""
    return STRINGS[key]["en" if lang == "en" else "zh"]
